// POST /printers: an operator registers a printer and receives its device credentials, once.
import { RegisterPrinterInput } from '../../shared/printers/printer.js';
import { registerPrinter } from '../../shared/printers/register-printer.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, printerIdentities, printerShadows, printerStore } from './wiring.js';

const deps = { printers: printerStore(), identities: printerIdentities(), shadows: printerShadows(), ...clock };

export const handler = httpRoute({
  body: RegisterPrinterInput,
  run: async ({ caller, body }) => ({ status: 201, body: await registerPrinter({ operatorId: userOf(caller).userId, request: body }, deps) }),
});
