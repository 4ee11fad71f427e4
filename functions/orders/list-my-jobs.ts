// GET /me/jobs: the operator's jobs, as their printers list them and the orders confirm.
import { listMyJobs } from '../../shared/orders/operator-jobs.js';
import { httpRoute, userOf } from '../lib/http.js';
import { printerShadows, printerStore } from '../printers/wiring.js';
import { orderStore } from './wiring.js';

const deps = { printers: printerStore(), shadows: printerShadows(), orders: orderStore() };

export const handler = httpRoute({ run: async ({ caller }) => ({ body: await listMyJobs({ operatorId: userOf(caller).userId }, deps) }) });
