// GET /printers: the printers customers can choose from.
import { listPrinters } from '../../shared/printers/manage-printer.js';
import { httpRoute } from '../lib/http.js';
import { printerShadows, printerStore } from './wiring.js';

const deps = { printers: printerStore(), shadows: printerShadows() };

export const handler = httpRoute({ run: async () => ({ body: await listPrinters(deps) }) });
