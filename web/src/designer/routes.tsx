// The designer area's pages. Pages load on first visit (React Router's lazy), so other areas do not carry them.
//   /designer                       dashboard: royalties, designs with status and prints sold, ratings and feedback
//   /designer/designs/new           a new design: terms, file (previewed in the browser), upload with progress, report
//   /designer/designs/:designId     a design's page for its designer: preview, report, terms and versions, withdrawal
import type { RouteObject } from 'react-router';

export const designerRoutes: RouteObject[] = [
  { path: 'designer', lazy: async () => ({ Component: (await import('./Dashboard')).DashboardPage }) },
  { path: 'designer/designs/new', lazy: async () => ({ Component: (await import('./NewDesign')).NewDesignPage }) },
  { path: 'designer/designs/:designId', lazy: async () => ({ Component: (await import('./DesignPage')).DesignPage }) },
];
