// POST /quotes: what a print of a design would cost, itemized, on the chosen or best-matching printer, and the
// printers the customer could choose instead.
import { quoteOrder } from '../../shared/orders/place-order.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { matchReads } from './match-reads.js';
import { designStore } from '../designs/wiring.js';
import { printerShadows } from '../printers/wiring.js';

const deps = { designs: designStore(), ...matchReads(), shadows: printerShadows(), now: () => new Date() };

export const handler = httpRoute({ body: routeSchemas['POST /quotes'].body, run: async ({ body }) => ({ body: await quoteOrder(body, deps) }) });
