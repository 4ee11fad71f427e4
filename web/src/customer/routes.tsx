// The customer area's pages. Pages load on first visit (React Router's lazy), so other areas do not carry them.
import type { RouteObject } from 'react-router';

export const customerRoutes: RouteObject[] = [
  { path: 'designs', lazy: async () => ({ Component: (await import('./Designs')).Designs }) },
  { path: 'designs/:designId', lazy: async () => ({ Component: (await import('./DesignPage')).DesignPage }) },
  { path: 'orders', lazy: async () => ({ Component: (await import('./Orders')).Orders }) },
  { path: 'orders/:orderId', lazy: async () => ({ Component: (await import('./OrderPage')).OrderPage }) },
];
