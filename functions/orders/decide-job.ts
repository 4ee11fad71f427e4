// POST /jobs/{jobId}/decision: the operator's accept or reject, sent to the printer holding the offer (202: the
// printer's signed answer, not this call, moves the order on).
import { decideJob } from '../../shared/orders/operator-jobs.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { printerMessages, printerShadows, printerStore } from '../printers/wiring.js';
import { orderStore } from './wiring.js';

const deps = { printers: printerStore(), shadows: printerShadows(), orders: orderStore(), messages: printerMessages() };

export const handler = httpRoute({
  body: routeSchemas['POST /jobs/{jobId}/decision'].body,
  run: async ({ caller, body, path }) => ({ status: 202, body: await decideJob({ operatorId: userOf(caller).userId, jobId: path.jobId!, ...body }, deps) }),
});
