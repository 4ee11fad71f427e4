// GET /me/printers: the operator's printers and what each last reported.
import { listMyPrinters } from '../../shared/printers/manage-printer.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, printerShadows, printerStore } from './wiring.js';

const deps = { printers: printerStore(), shadows: printerShadows(), ...clock };

export const handler = httpRoute({
  run: async ({ caller }) => ({ body: await listMyPrinters({ operatorId: userOf(caller).userId }, deps) }),
});
