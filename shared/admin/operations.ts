// The admin's operations dashboard: the figures of the CloudWatch dashboard (infra/constructs/observability.ts),
// computed from the platform's own sources so the same use case answers in AWS and on the embedded platform:
//   orders per minute   ← order workflow executions started (one execution per order, named after it)
//   workflow failures   ← order executions that ended FAILED/TIMED_OUT/ABORTED, or SUCCEEDED through the Refund path
//                         (the workflow catches every failure and refunds, so CloudWatch's ExecutionsFailed alone
//                         would miss almost every failed order)
//   ledger backlog      ← the ledger queue's and its dead-letter queue's message counts (now only: SQS keeps no history)
//   commit latency      ← the ledger writer's per-minute tally of LedgerCommitLatency (the same value it publishes as EMF)
//   printers online     ← the printers' device shadows (now only)
//   errors              ← ledger writes that failed (tally), dead-lettered ledger steps, executions that failed outright
// Why not CloudWatch GetMetricData: see README ("Admin dashboard"). Pure aggregation here; sources are ports.

/** One run of the order workflow, as far as the dashboard cares. */
export interface WorkflowRun {
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startedAt: Date;
  stoppedAt?: Date;
  /** Ended through the Refund path: the order failed, the workflow did not. */
  refunded?: boolean;
}

export interface WorkflowRuns {
  /** Runs that started or stopped at or after `from`. */
  since(from: Date): Promise<WorkflowRun[]>;
}

export interface LedgerBacklog {
  depth(): Promise<{ waiting: number; inFlight: number; deadLetters: number }>;
}

/** Per-minute tallies the platform keeps of its own measurements (count and sum per minute). */
export interface OperationsTally {
  /** Adds `count` measurements (one by default) whose values add up to `sum` to the minute of `at`. */
  record(name: TallyName, sum: number, at: Date, count?: number): Promise<void>;
  minutes(name: TallyName, from: Date, to: Date): Promise<{ minute: string; count: number; sum: number }[]>;
}
export type TallyName = 'LedgerCommitLatency' | 'LedgerWriteFailures';

export interface PrinterFleet {
  /** Registered printers and those whose shadow says they are connected and not offline. */
  census(): Promise<{ registered: number; online: number }>;
}

export interface Point {
  /** Start of the minute, ISO. */
  at: string;
  value: number;
}

export interface OperationsSnapshot {
  at: string;
  windowMinutes: number;
  orders: { lastMinute: number; perMinute: number; total: number; history: Point[] };
  workflowFailures: { total: number; history: Point[]; recent: { order: string; how: string; at: string }[] };
  ledger: { waiting: number; inFlight: number; deadLetters: number; commits: number; latencyMs: number | null; history: Point[] };
  printers: { online: number; registered: number };
  errors: { total: number; history: Point[]; ledgerWriteFailures: number; deadLetters: number; workflowsFailed: number };
}

const minuteMs = 60_000;
const floorMinute = (t: number) => Math.floor(t / minuteMs) * minuteMs;

/** The window's minutes, oldest first, ending with the current (partial) minute. */
export function minutesOf(now: Date, windowMinutes: number): number[] {
  const last = floorMinute(now.getTime());
  return Array.from({ length: windowMinutes }, (_, i) => last - (windowMinutes - 1 - i) * minuteMs);
}

function bucket(minutes: number[], times: Date[]): Point[] {
  const counts = new Map(minutes.map((m) => [m, 0]));
  for (const t of times) {
    const m = floorMinute(t.getTime());
    if (counts.has(m)) counts.set(m, counts.get(m)! + 1);
  }
  return minutes.map((m) => ({ at: new Date(m).toISOString(), value: counts.get(m)! }));
}

const failedOutright = (r: WorkflowRun) => r.status === 'FAILED' || r.status === 'TIMED_OUT' || r.status === 'ABORTED';

export async function readOperations(
  input: { windowMinutes: number },
  deps: { runs: WorkflowRuns; backlog: LedgerBacklog; tally: OperationsTally; fleet: PrinterFleet; now: () => Date },
): Promise<OperationsSnapshot> {
  const now = deps.now();
  const minutes = minutesOf(now, input.windowMinutes);
  const from = new Date(minutes[0]!);
  const [runs, depth, latency, writeFailures, census] = await Promise.all([
    deps.runs.since(from),
    deps.backlog.depth(),
    deps.tally.minutes('LedgerCommitLatency', from, now),
    deps.tally.minutes('LedgerWriteFailures', from, now),
    deps.fleet.census(),
  ]);

  const started = runs.filter((r) => r.startedAt >= from);
  const ordersHistory = bucket(minutes, started.map((r) => r.startedAt));
  const failed = runs.filter((r) => r.stoppedAt && r.stoppedAt >= from && (failedOutright(r) || r.refunded)).sort((a, b) => b.stoppedAt!.getTime() - a.stoppedAt!.getTime());
  const outright = failed.filter(failedOutright);

  const latencyBy = new Map(latency.map((l) => [Date.parse(l.minute), l]));
  const commits = latency.reduce((n, l) => n + l.count, 0);
  const latencySum = latency.reduce((n, l) => n + l.sum, 0);
  const failuresBy = new Map(writeFailures.map((l) => [Date.parse(l.minute), l.count]));
  const outrightBy = new Map(bucket(minutes, outright.map((r) => r.stoppedAt!)).map((p) => [Date.parse(p.at), p.value]));
  const writeFailureTotal = writeFailures.reduce((n, l) => n + l.count, 0);

  return {
    at: now.toISOString(),
    windowMinutes: input.windowMinutes,
    orders: {
      // The last complete minute: the current one is still filling up.
      lastMinute: ordersHistory.at(-2)?.value ?? 0,
      perMinute: Math.round((started.length / input.windowMinutes) * 100) / 100,
      total: started.length,
      history: ordersHistory,
    },
    workflowFailures: {
      total: failed.length,
      history: bucket(minutes, failed.map((r) => r.stoppedAt!)),
      recent: failed.slice(0, 5).map((r) => ({ order: r.name, how: r.refunded ? 'refunded' : r.status.toLowerCase().replace('_', ' '), at: r.stoppedAt!.toISOString() })),
    },
    ledger: {
      ...depth,
      commits,
      latencyMs: commits ? Math.round(latencySum / commits) : null,
      history: minutes.map((m) => {
        const l = latencyBy.get(m);
        return { at: new Date(m).toISOString(), value: l && l.count ? Math.round(l.sum / l.count) : 0 };
      }),
    },
    printers: census,
    errors: {
      total: writeFailureTotal + depth.deadLetters + outright.length,
      history: minutes.map((m) => ({ at: new Date(m).toISOString(), value: (failuresBy.get(m) ?? 0) + (outrightBy.get(m) ?? 0) })),
      ledgerWriteFailures: writeFailureTotal,
      deadLetters: depth.deadLetters,
      workflowsFailed: outright.length,
    },
  };
}
