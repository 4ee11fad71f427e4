// Live tracking of an order: the order as its viewer may see it, again each time it changes (status, layer of the
// print), until it ends or the watch's time is up. It reads the order record, which the printer's progress reports
// and the workflow's steps write, so it needs no channel of its own: the same code serves the SSE stream in Lambda
// (response streaming) and on the local gateway.
import { NotFound } from '../errors.js';
import { getOrder } from './place-order.js';
import type { Viewer } from './order.js';
import type { OrderStore } from './ports.js';

const ended = new Set(['completed', 'refunded', 'cancelled']);

export interface WatchDeps {
  orders: OrderStore;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Yields the first view at once (and throws NotFound before anything is sent to someone who may not see the order),
 * then each changed view. Ends when the order ends, after `maxMs` (the client reconnects), or when `signal` aborts.
 */
export async function* watchOrder(orderId: string, viewer: Viewer, deps: WatchDeps, opts: { pollMs: number; maxMs: number; signal?: AbortSignal }) {
  const until = deps.now().getTime() + opts.maxMs;
  let last = '';
  while (!opts.signal?.aborted) {
    let view;
    try {
      view = await getOrder(orderId, viewer, deps);
    } catch (err) {
      // Gone while watched (never happens today: orders are kept) reads as the end of the stream, not a failure.
      if (err instanceof NotFound && last) return;
      throw err;
    }
    const text = JSON.stringify(view);
    if (text !== last) {
      last = text;
      yield view;
    }
    if (ended.has(view.status) || deps.now().getTime() + opts.pollMs > until) return;
    await deps.sleep(opts.pollMs);
  }
}
