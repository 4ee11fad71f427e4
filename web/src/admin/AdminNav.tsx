// The admin area's own sub-navigation, shared by its pages.
import { NavLink } from 'react-router';

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="admin-nav">
      <NavLink to="/admin" end>
        Operations
      </NavLink>
      <NavLink to="/admin/users">Users</NavLink>
    </nav>
  );
}
