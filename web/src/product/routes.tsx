// The product area's pages. Pages load on first visit (React Router's lazy), so other areas do not carry them.
// The product page is what a QR scan or an NFC tap opens: public, and kept small (see bench/web.ts).
import type { RouteObject } from 'react-router';

export const productRoutes: RouteObject[] = [
  { path: '01/:gtin/21/:serial', lazy: () => import('./ProductPage') },
  { path: 'scan', lazy: () => import('./ScanPage') },
];
