// GET /orders/{orderId}: for the customer, the design's designer, operators of printers it was offered to, and admins.
import { getOrder } from '../../shared/orders/place-order.js';
import { httpRoute, userOf } from '../lib/http.js';
import { printerStore } from '../printers/wiring.js';
import { orderStore } from './wiring.js';

const deps = { orders: orderStore() };
const printers = printerStore();

export const handler = httpRoute({
  run: async ({ caller, path }) => {
    const user = userOf(caller);
    const operated = new Set(user.groups.includes('printer') ? (await printers.listByOperator(user.userId)).map((p) => p.printerId) : []);
    return { body: await getOrder(path.orderId!, { userId: user.userId, groups: user.groups, operatesPrinter: (id) => operated.has(id) }, deps) };
  },
});
