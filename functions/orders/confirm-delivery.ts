// POST /orders/{orderId}/delivery: the customer has the product; the waiting delivery step goes on.
import { confirmDelivery } from '../../shared/orders/place-order.js';
import { httpRoute, userOf } from '../lib/http.js';
import { orderStore, taskCallbacks } from './wiring.js';

const deps = { orders: orderStore(), callbacks: taskCallbacks() };

export const handler = httpRoute({ run: async ({ caller, path }) => ({ status: 202, body: await confirmDelivery({ orderId: path.orderId!, by: { kind: 'customer', customerId: userOf(caller).userId } }, deps) }) });
