// Pages for some roles only. The API refuses the calls anyway; this only spares people a page that cannot work.
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { hasRole, useSession, type Role } from '../auth/session';

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) {
    return (
      <div className="card">
        <h1>Log in to continue</h1>
        <p>
          This page needs an account. <Link to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`}>Log in</Link> or{' '}
          <Link to="/signup">sign up</Link>.
        </p>
      </div>
    );
  }
  if (!hasRole(user, ...roles)) {
    return (
      <div className="card">
        <h1>Not for this account</h1>
        <p>This page is for {roles.join(' or ')} accounts. You are signed in as {user.roles.join(', ') || 'an account without a role'}.</p>
      </div>
    );
  }
  return <>{children}</>;
}

export function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        The address may be mistyped, or the page has moved. <Link to="/">Go to the start page</Link>.
      </p>
    </div>
  );
}
