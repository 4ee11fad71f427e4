// Pages for any signed-in account, whatever its role.
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useSession } from '../auth/session';

export function RequireUser({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (user) return <>{children}</>;
  return (
    <div className="card">
      <h1>Log in to continue</h1>
      <p>
        This page needs an account. <Link to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`}>Log in</Link> or <Link to="/signup">sign up</Link>.
      </p>
    </div>
  );
}
