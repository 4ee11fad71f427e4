// POST /orders: the customer accepts the terms and pays into escrow through the order workflow.
import { placeOrder } from '../../shared/orders/place-order.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { designDataKeys, designStore } from '../designs/wiring.js';
import { printerShadows } from '../printers/wiring.js';
import { clock, orderStore, orderWorkflow } from './wiring.js';
import { matchReads } from './match-reads.js';

const deps = { designs: designStore(), ...matchReads(), shadows: printerShadows(), orders: orderStore(), workflow: orderWorkflow(), dataKeys: designDataKeys(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /orders'].body,
  run: async ({ caller, body }) => {
    const { created, order } = await placeOrder({ ...body, customerId: userOf(caller).userId }, deps);
    return { status: created ? 201 : 200, body: order };
  },
});
