// GET /me/orders: the caller's own orders, newest first.
import { listMyOrders } from '../../shared/orders/place-order.js';
import { httpRoute, userOf } from '../lib/http.js';
import { orderStore } from './wiring.js';

const deps = { orders: orderStore() };

export const handler = httpRoute({ run: async ({ caller }) => ({ body: await listMyOrders(userOf(caller).userId, deps) }) });
