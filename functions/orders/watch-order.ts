// GET /orders/{orderId}/events: the order as Server-Sent Events, again each time it changes (status, layer x of y),
// for those who may see the order. Each stream lasts under a minute; the browser reconnects.
import { watchOrder } from '../../shared/orders/watch-order.js';
import { sseRoute } from '../lib/stream.js';
import { orderParticipant } from './participant.js';
import { orderStore } from './wiring.js';

const deps = { orders: orderStore(), now: () => new Date(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

export const handler = sseRoute({
  event: 'order',
  run: async function* ({ caller, path }, signal, context) {
    // Ends a few seconds before the function's own deadline, so the stream closes cleanly rather than being cut.
    const maxMs = Math.max(5_000, Math.min(55_000, context.getRemainingTimeInMillis() - 5_000));
    yield* watchOrder(path.orderId!, await orderParticipant(caller), deps, { pollMs: 1000, maxMs, signal });
  },
});
