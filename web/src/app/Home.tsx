import { Link } from 'react-router';
import { hasRole, useSession } from '../auth/session';

export function Home() {
  const { user } = useSession();
  return (
    <div className="hero">
      <h1>Printed near you. Verifiable forever.</h1>
      <p>
        Designers sell 3D designs, printers near you make them, and every product carries its story on a public ledger: scan its tag to check it is
        genuine.
      </p>
      <p className="actions">
        <Link className="btn btn-primary" to="/designs">
          Browse designs
        </Link>
        <Link className="btn btn-secondary" to="/scan">
          Verify a product
        </Link>
        {!user && (
          <Link className="btn btn-secondary" to="/signup">
            Sign up
          </Link>
        )}
        {hasRole(user, 'designer') && (
          <Link className="btn btn-secondary" to="/designer">
            My designs
          </Link>
        )}
      </p>
    </div>
  );
}
