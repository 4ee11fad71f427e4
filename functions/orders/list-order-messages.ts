// GET /orders/{orderId}/messages: the conversation about an order, for its customer and the printer's operator.
import { listMessages } from '../../shared/orders/messages.js';
import { httpRoute } from '../lib/http.js';
import { orderParticipant } from './participant.js';
import { orderMessages, orderStore } from './wiring.js';

const deps = { orders: orderStore(), messages: orderMessages() };

export const handler = httpRoute({ run: async ({ caller, path }) => ({ body: await listMessages({ orderId: path.orderId!, caller: await orderParticipant(caller) }, deps) }) });
