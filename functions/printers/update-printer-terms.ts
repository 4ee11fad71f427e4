// PUT /printers/{printerId}/terms: a new version of the printer's terms.
import { updatePrinterTerms } from '../../shared/printers/manage-printer.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, printerStore } from './wiring.js';

const deps = { printers: printerStore(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['PUT /printers/{printerId}/terms'].body,
  run: async ({ caller, body, path }) => ({ body: await updatePrinterTerms({ operatorId: userOf(caller).userId, printerId: path.printerId!, terms: body }, deps) }),
});
