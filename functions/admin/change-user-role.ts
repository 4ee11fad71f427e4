// PUT /admin/users/{username}/role: gives an account one role (an admin cannot take their own admin role away).
import { changeUserRole } from '../../shared/admin/users.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { actingAdmin, userDirectory } from './wiring.js';

const deps = { directory: userDirectory() };

export const handler = httpRoute({
  body: routeSchemas['PUT /admin/users/{username}/role'].body,
  run: async ({ caller, path, body }) => ({ body: await changeUserRole({ actor: actingAdmin(caller), username: path.username!, role: body.role }, deps) }),
});
