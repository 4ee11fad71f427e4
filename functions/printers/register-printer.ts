// POST /printers: an operator registers a printer and receives its device credentials, once.
import { registerPrinter } from '../../shared/printers/register-printer.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, printerIdentities, printerShadows, printerStore } from './wiring.js';

const deps = { printers: printerStore(), identities: printerIdentities(), shadows: printerShadows(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /printers'].body,
  run: async ({ caller, body }) => ({ status: 201, body: await registerPrinter({ operatorId: userOf(caller).userId, request: body }, deps) }),
});
