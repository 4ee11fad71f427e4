// The admin area's pages. Pages load on first visit (React Router's lazy), so other areas do not carry them.
import type { RouteObject } from 'react-router';

export const adminRoutes: RouteObject[] = [
  { path: 'admin', lazy: () => import('./DashboardPage').then((m) => ({ Component: m.DashboardPage })) },
  { path: 'admin/users', lazy: () => import('./UsersPage').then((m) => ({ Component: m.UsersPage })) },
];
