// GET /orders/{orderId}: for the customer, the design's designer, operators of printers it was offered to, and admins.
import { getOrder } from '../../shared/orders/place-order.js';
import { httpRoute } from '../lib/http.js';
import { orderParticipant } from './participant.js';
import { orderStore } from './wiring.js';

const deps = { orders: orderStore() };

export const handler = httpRoute({ run: async ({ caller, path }) => ({ body: await getOrder(path.orderId!, await orderParticipant(caller), deps) }) });
