// The frame around every page: a skip link, the navigation for the signed-in roles, and the page itself.
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { hasRole, useSession } from '../auth/session';

export function Layout() {
  const { user, logout } = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand" aria-label="DPM home">
          DPM
        </Link>
        <nav aria-label="Main">
          <NavLink to="/designs">Designs</NavLink>
          <NavLink to="/scan">Verify a product</NavLink>
          {hasRole(user, 'designer') && <NavLink to="/designer">Designer</NavLink>}
          {hasRole(user, 'customer') && <NavLink to="/orders">My orders</NavLink>}
          {hasRole(user, 'printer') && <NavLink to="/printer">Printers</NavLink>}
          {hasRole(user, 'designer', 'printer') && <NavLink to="/payouts">Payout account</NavLink>}
          {hasRole(user, 'admin') && <NavLink to="/admin">Admin</NavLink>}
          {user && <NavLink to="/inbox">Inbox</NavLink>}
        </nav>
        <div className="account">
          {user ? (
            <>
              <NavLink to="/profile">{user.email}</NavLink>
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => {
                  logout();
                  void navigate('/');
                }}
              >
                Log out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login">Log in</NavLink>
              <NavLink to="/signup" className="btn btn-primary">
                Sign up
              </NavLink>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
