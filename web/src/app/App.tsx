// The page map. Each area (designer, customer, printer, product, admin, account) owns its routes module, and each
// page is loaded on first visit: the public product page a QR scan opens must not carry the rest of the app.
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { accountRoutes } from '../account/routes';
import { adminRoutes } from '../admin/routes';
import { LoginPage, SignupPage } from '../auth/pages';
import { SessionProvider } from '../auth/session';
import { customerRoutes } from '../customer/routes';
import { designerRoutes } from '../designer/routes';
import { printerRoutes } from '../printer/routes';
import { productRoutes } from '../product/routes';
import { NotFound } from './guards';
import { Home } from './Home';
import { Layout } from './Layout';

const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Home /> },
      { path: 'login', element: <LoginPage /> },
      { path: 'signup', element: <SignupPage /> },
      ...accountRoutes,
      ...designerRoutes,
      ...customerRoutes,
      ...printerRoutes,
      ...productRoutes,
      ...adminRoutes,
      { path: '*', element: <NotFound /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
