// POST /orders/{orderId}/rating: the customer rates the designer and the printer of a delivered order, once.
import { rateOrder } from '../../shared/orders/ratings.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, orderStore, ratingStore } from './wiring.js';

const deps = { orders: orderStore(), ratings: ratingStore(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /orders/{orderId}/rating'].body,
  run: async ({ caller, path, body }) => ({ status: 201, body: await rateOrder({ orderId: path.orderId!, customerId: userOf(caller).userId, rating: body }, deps) }),
});
