// POST /quotes: what a print of a design would cost, itemized, on the chosen or best-matching printer, and the
// printers the customer could choose instead.
import { quoteOrder } from '../../shared/orders/place-order.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { designStore } from '../designs/wiring.js';
import { printerShadows, printerStore } from '../printers/wiring.js';
import { ratingStore } from './wiring.js';

const deps = { designs: designStore(), printers: printerStore(), shadows: printerShadows(), ratings: ratingStore(), now: () => new Date() };

export const handler = httpRoute({ body: routeSchemas['POST /quotes'].body, run: async ({ body }) => ({ body: await quoteOrder(body, deps) }) });
