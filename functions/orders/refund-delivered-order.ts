// POST /orders/{orderId}/refund: an admin refunds a completed order; transfers already made are reversed first.
import { refundDeliveredOrder } from '../../shared/orders/refunds.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { printerStore } from '../printers/wiring.js';
import { books, clock, notifications, orderStore, paymentGateway } from './wiring.js';

const deps = { orders: orderStore(), payments: await paymentGateway(), books: books(), notifications: notifications(), printers: printerStore(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /orders/{orderId}/refund'].body,
  run: async ({ caller, path, body }) => ({ body: await refundDeliveredOrder({ orderId: path.orderId!, reason: body.reason, adminId: userOf(caller).userId }, deps) }),
});
