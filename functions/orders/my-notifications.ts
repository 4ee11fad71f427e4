// GET /me/notifications: the caller's in-app inbox, newest first.
import { httpRoute, userOf } from '../lib/http.js';
import { notifications } from './wiring.js';

const inbox = notifications();

export const handler = httpRoute({ run: async ({ caller }) => ({ body: await inbox.inbox(userOf(caller).userId, 50) }) });
