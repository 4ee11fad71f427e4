// The account area's pages. Pages load on first visit (React Router's lazy), so other areas do not carry them.
import type { RouteObject } from 'react-router';

export const accountRoutes: RouteObject[] = [
  { path: 'profile', lazy: () => import('./ProfilePage') },
  { path: 'inbox', lazy: () => import('./InboxPage') },
  { path: 'payouts', lazy: () => import('./PayoutsPage') },
  { path: 'payouts/onboarding/return', lazy: () => import('./PayoutsPage') },
  { path: 'payouts/onboarding/refresh', lazy: () => import('./PayoutsPage') },
];
