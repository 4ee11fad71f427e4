// POST /orders/{orderId}/messages: the customer or the printer's operator writes about the order.
import { postMessage } from '../../shared/orders/messages.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { orderParticipant } from './participant.js';
import { clock, conversations, orderMessages, orderStore } from './wiring.js';

const deps = { orders: orderStore(), messages: orderMessages(), conversations: conversations(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /orders/{orderId}/messages'].body,
  run: async ({ caller, path, body }) => ({ status: 201, body: await postMessage({ ...body, orderId: path.orderId!, caller: await orderParticipant(caller) }, deps) }),
});
