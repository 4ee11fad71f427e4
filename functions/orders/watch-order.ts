// GET /orders/{orderId}/events: the order as Server-Sent Events, again each time it changes (status, layer x of y),
// for those who may see the order. Each stream lasts under a minute; the browser reconnects. In AWS it is reached
// through its function URL, with no JWT authorizer in front, so it checks the bearer token itself.
import { z } from 'zod';
import { CognitoSignIns } from '../../shared/adapters/cognito-sign-ins.js';
import { watchOrder, type WatchDeps } from '../../shared/orders/watch-order.js';
import type { SignIns } from '../../shared/platform/sign-ins.js';
import type { PrinterStore } from '../../shared/printers/ports.js';
import { readConfig } from '../lib/config.js';
import { sseRoute } from '../lib/stream.js';
import { printerStore } from '../printers/wiring.js';
import { orderParticipant } from './participant.js';
import { orderStore } from './wiring.js';

/** The route over its dependencies; `handler` below is it over the real ones (tests pass fakes). */
export function watchOrderRoute(deps: WatchDeps & { printers: Pick<PrinterStore, 'listByOperator'>; signIns: SignIns }) {
  return sseRoute({
    event: 'order',
    signIns: deps.signIns,
    run: async function* ({ caller, path }, signal, context) {
      // Ends a few seconds before the function's own deadline, so the stream closes cleanly rather than being cut.
      const maxMs = Math.max(5_000, Math.min(55_000, context.getRemainingTimeInMillis() - 5_000));
      yield* watchOrder(path.orderId!, await orderParticipant(caller, deps.printers), deps, { pollMs: 1000, maxMs, signal });
    },
  });
}

const config = readConfig(z.object({ USER_POOL_ISSUER: z.url(), USER_POOL_CLIENT_ID: z.string().min(1) }));

export const handler = watchOrderRoute({
  orders: orderStore(),
  printers: printerStore(),
  now: () => new Date(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  signIns: new CognitoSignIns({ issuer: config.USER_POOL_ISSUER, audience: [config.USER_POOL_CLIENT_ID] }),
});
