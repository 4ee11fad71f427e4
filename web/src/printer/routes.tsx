// The printer area's pages. Pages load on first visit (React Router's lazy), so other areas do not carry them.
import type { RouteObject } from 'react-router';

export const printerRoutes: RouteObject[] = [
  { path: 'printer', lazy: async () => ({ Component: (await import('./Dashboard')).Dashboard }) },
  { path: 'printer/register', lazy: async () => ({ Component: (await import('./RegisterPrinter')).RegisterPrinter }) },
  { path: 'printer/printers/:printerId', lazy: async () => ({ Component: (await import('./EditPrinter')).EditPrinter }) },
  { path: 'printer/viewer', lazy: async () => ({ Component: (await import('./GcodeViewer')).GcodeViewerPage }) },
  { path: 'printer/payouts', lazy: async () => ({ Component: (await import('./Payouts')).Payouts }) },
];
