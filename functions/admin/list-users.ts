// GET /admin/users: accounts with their roles and whether they may sign in; `q` searches by e-mail prefix.
import { listUsers } from '../../shared/admin/users.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { userDirectory } from './wiring.js';

const deps = { directory: userDirectory() };

export const handler = httpRoute({ query: routeSchemas['GET /admin/users'].query, run: async ({ query }) => ({ body: await listUsers(query, deps) }) });
