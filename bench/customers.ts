// The orders benchmark's customers, in a worker thread of their own: each places an order, follows it to its end and
// places the next, with a fixed number in flight. Customers are people outside the platform, as the printers are (see
// printer-fleet.ts): in the platform's thread their HTTP client, JSON and bookkeeping took CPU from the thread the
// platform is measured on, which under load is the machine's bottleneck (86-89 % busy in every run). In their own
// thread they spend 1.1-1.3 s per 300 orders, about 5 % of the platform thread's. Their requests reach the platform's
// gateway over loopback HTTP as before.
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { answerOf, benchAddress } from './lib.js';
import { askWorker, serveParent, threadCpuSeconds } from './worker-rpc.js';

export interface OrderView {
  orderId: string;
  status: string;
  updatedAt: string;
  /** `at`: when the platform handed the product to the carrier. */
  shipment?: { at?: string };
  attempts: { printerId: string; outcome: string; reason?: string }[];
  failure?: { error: string; cause: string };
}

export const terminal = new Set(['completed', 'refunded', 'cancelled']);
/** Orders per segment of `ordersPerMinuteBySegment`. */
export const segment = 50;

export interface LoadConfig {
  gatewayUrl: string;
  customerToken: string;
  designId: string;
  printerIds: string[];
  termsVersion: [string, number][];
  match: 'auto' | 'chosen';
  pollMs: number;
  concurrency: number;
  /** Orders to place, and the time box they must be placed in. */
  limit: number;
  boxMs: number;
}

export type LoadResult = Awaited<ReturnType<typeof runLoad>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `concurrency` customers, each placing an order and following it to its end, until `limit` orders are placed or the time box is over. */
async function runLoad(cfg: LoadConfig) {
  const termsVersion = new Map(cfg.termsVersion);
  const api = async <T>(path: string, init: RequestInit = {}, expect?: number[]) => {
    const res = await fetch(`${cfg.gatewayUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.customerToken}` } });
    return answerOf<T>(res, `${init.method ?? 'GET'} ${path}`, expect);
  };
  const latencies: number[] = [];
  /** When each completed order was seen completed, in order: the rate along the load, by segments. */
  const completedAt: number[] = [];
  const toShipped: number[] = [];
  const ended: Record<string, number> = {};
  const failures: Record<string, number> = {};
  const attemptsHistogram: Record<string, number> = {};
  const rejections: Record<string, number> = {};
  const errors: string[] = [];
  let placed = 0;
  let deliveryRetries = 0;
  let httpRequests = 0;
  const started = performance.now();
  const deadline = started + cfg.boxMs;

  // The customers' polls are load the platform serves: each is a gateway request and a DynamoDB read. A poll long
  // before the order can have moved only adds that load, so the first poll of each wait comes after 85 % of the
  // median time that wait took lately (the spread is narrow: placed to shipped, p50 about 1.07 s and p99 1.63 s);
  // from there on every `pollMs`. That is tuned for the load, not for the latency: the median is of when the
  // customers saw each step, which includes their own wait, so for a step quicker than several polls' round trips
  // (delivered to completed: about 40 ms) the first poll settles later than the step (`pollLag` reports by how
  // much: p50 about 170 ms for each wait, measured). Anchoring it on the order's own timestamps instead was
  // tried: the lag fell to about 80 ms per wait, but the orders did not finish sooner (the platform's own time to
  // shipped rose by as much, with more orders inside it at once), and the extra polls (gateway requests per order
  // 4.3 → 5.7) lowered the rate a little. The rate is limited by CPU, not by the customers' waits.
  const recent = { shipped: [] as number[], completed: [] as number[] };
  /** How long after the platform made each step the customer saw it, by the order's timestamps (same clock). */
  const lag = { shipped: [] as number[], completed: [] as number[] };
  const lagged = (phase: keyof typeof lag, at: string | undefined) => {
    const t = Date.parse(at ?? '');
    if (!Number.isNaN(t)) lag[phase].push(Date.now() - t);
  };
  const firstPollDelay = (phase: keyof typeof recent) => {
    const v = [...recent[phase]].sort((a, b) => a - b);
    return v.length < 5 ? 0 : 0.85 * v[Math.floor(v.length / 2)]!;
  };
  const took = (phase: keyof typeof recent, ms: number) => {
    recent[phase].push(ms);
    if (recent[phase].length > 50) recent[phase].shift();
  };
  const poll = async (orderId: string, done: (o: OrderView) => boolean, firstDelayMs = 0): Promise<OrderView> => {
    if (firstDelayMs > 0) await sleep(firstDelayMs);
    for (;;) {
      httpRequests++;
      const o = (await api<OrderView>(`/orders/${orderId}`, {}, [200])).body;
      if (done(o)) return o;
      if (performance.now() > deadline + 60_000) throw new Error(`order ${orderId} stuck in ${o.status}`);
      await sleep(cfg.pollMs);
    }
  };

  const customer = async (k: number) => {
    const printerId = cfg.printerIds[k % cfg.printerIds.length]!;
    const choice = cfg.match === 'chosen' ? { printerId, acceptedPrinterTermsVersion: termsVersion.get(printerId) } : {};
    while (placed < cfg.limit && performance.now() < deadline) {
      placed++;
      const t0 = performance.now();
      try {
        httpRequests++;
        const res = await api<OrderView>(
          '/orders',
          { method: 'POST', body: JSON.stringify({ clientOrderId: crypto.randomUUID(), designId: cfg.designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa', deliverTo: benchAddress, ...choice }) },
          [201],
        );
        const orderId = res.body.orderId;
        let o = await poll(orderId, (x) => x.status === 'shipped' || terminal.has(x.status), firstPollDelay('shipped'));
        if (o.status === 'shipped') {
          lagged('shipped', o.shipment?.at);
          toShipped.push(performance.now() - t0);
          took('shipped', performance.now() - t0);
          // 'shipped' shows before the workflow waits for the delivery (ShipProduct, then AwaitDelivery); a
          // confirmation in between is kept for the delivery step. A 409 (the order kept changing under it) is retried.
          for (let i = 0; ; i++) {
            httpRequests++;
            const r = await api(`/orders/${orderId}/delivery`, { method: 'POST' }, [202, 409]);
            if (r.status === 202) break;
            if (i >= 200) throw new Error(`delivery of ${orderId} still refused: ${JSON.stringify(r.body)}`);
            deliveryRetries++;
            await sleep(cfg.pollMs);
          }
          const confirmed = performance.now();
          o = await poll(orderId, (x) => terminal.has(x.status), firstPollDelay('completed'));
          took('completed', performance.now() - confirmed);
          if (o.status === 'completed') lagged('completed', o.updatedAt);
        }
        ended[o.status] = (ended[o.status] ?? 0) + 1;
        if (o.status === 'completed') {
          const doneAt = performance.now();
          latencies.push(doneAt - t0);
          completedAt.push(doneAt);
        }
        if (o.failure) failures[o.failure.error] = (failures[o.failure.error] ?? 0) + 1;
        attemptsHistogram[String(o.attempts.length)] = (attemptsHistogram[String(o.attempts.length)] ?? 0) + 1;
        for (const a of o.attempts) {
          if (a.outcome === 'rejected' || a.outcome === 'failed' || a.outcome === 'timed-out') {
            const why = `${a.outcome}: ${(a.reason ?? '').replace(/job \S+/, 'job …')}`;
            rejections[why] = (rejections[why] ?? 0) + 1;
          }
        }
      } catch (err) {
        ended.error = (ended.error ?? 0) + 1;
        if (errors.length < 10) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, (_, k) => customer(k)));
  const bySegment: number[] = [];
  // From the first completion on, so the first segment does not count the time the first orders took to go through.
  for (let i = segment; i < completedAt.length; i += segment) bySegment.push(Math.round((segment / ((completedAt[i]! - completedAt[i - segment]!) / 60_000)) * 10) / 10);
  return { wallMs: performance.now() - started, latencies, toShipped, lag, ended, failures, attemptsHistogram, rejections, errors, placed, deliveryRetries, httpRequests, bySegment };
}

type Request = { kind: 'run'; config: LoadConfig } | { kind: 'cpu' };
type Reply = { kind: 'done'; result: LoadResult } | { kind: 'cpu'; seconds: number };

/** Starts the customers' thread; `run` places a load's orders in it, `cpuSeconds` is that thread's CPU time so far. */
export function startCustomers() {
  const worker = new Worker(new URL(import.meta.url), { workerData: { customers: true } });
  const ask = askWorker<Request, Reply>(worker);
  return {
    async run(config: LoadConfig): Promise<LoadResult> {
      const r = await ask({ kind: 'run', config });
      if (r.kind !== 'done') throw new Error(`the customers answered ${r.kind}`);
      return r.result;
    },
    async cpuSeconds() {
      const r = await ask({ kind: 'cpu' });
      return r.kind === 'cpu' ? r.seconds : 0;
    },
    stop: () => worker.terminate(),
  };
}

if (!isMainThread && (workerData as { customers?: boolean } | undefined)?.customers) {
  serveParent<Request, Reply>(async (req) => (req.kind === 'cpu' ? { kind: 'cpu', seconds: threadCpuSeconds() } : { kind: 'done', result: await runLoad(req.config) }));
}
