// PUT /printers/{printerId}/config: the operator changes the printer's configuration; the printer gets it as a delta.
import { updatePrinterConfig } from '../../shared/printers/manage-printer.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, printerShadows, printerStore } from './wiring.js';

const deps = { printers: printerStore(), shadows: printerShadows(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['PUT /printers/{printerId}/config'].body,
  run: async ({ caller, body, path }) => ({ body: await updatePrinterConfig({ operatorId: userOf(caller).userId, printerId: path.printerId!, config: body }, deps) }),
});
