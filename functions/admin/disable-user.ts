// POST /admin/users/{username}/disable: the account can no longer sign in or refresh its session.
import { setUserEnabled } from '../../shared/admin/users.js';
import { httpRoute } from '../lib/http.js';
import { actingAdmin, userDirectory } from './wiring.js';

const deps = { directory: userDirectory() };

export const handler = httpRoute({ run: async ({ caller, path }) => ({ body: await setUserEnabled({ actor: actingAdmin(caller), username: path.username!, enabled: false }, deps) }) });
