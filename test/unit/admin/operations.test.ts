// The dashboard's figures from fake sources: per-minute buckets over the window, refunded orders counted as workflow
// failures, outright failures also as errors, and the ledger tally turned into an average latency.
import { describe, expect, it } from 'vitest';
import { readOperations, type OperationsTally, type WorkflowRun } from '../../../shared/admin/operations.js';

const now = new Date('2026-01-01T10:15:30Z');
const at = (hhmmss: string) => new Date(`2026-01-01T${hhmmss}Z`);

function deps(runs: WorkflowRun[], tally: Record<string, { minute: string; count: number; sum: number }[]> = {}) {
  const t: OperationsTally = {
    record: async () => undefined,
    minutes: async (name) => tally[name] ?? [],
  };
  return {
    runs: { since: async () => runs },
    backlog: { depth: async () => ({ waiting: 3, inFlight: 1, deadLetters: 2 }) },
    tally: t,
    fleet: { census: async () => ({ registered: 3, online: 2 }) },
    now: () => now,
  };
}

describe('operations figures', () => {
  it('counts orders per minute, and the last complete minute as the headline', async () => {
    const runs: WorkflowRun[] = [
      { name: 'a', status: 'RUNNING', startedAt: at('10:14:05') },
      { name: 'b', status: 'RUNNING', startedAt: at('10:14:55') },
      { name: 'c', status: 'RUNNING', startedAt: at('10:15:10') },
      { name: 'old', status: 'SUCCEEDED', startedAt: at('09:00:00'), stoppedAt: at('09:10:00') },
    ];
    const s = await readOperations({ windowMinutes: 15 }, deps(runs));
    expect(s.orders.history).toHaveLength(15);
    expect(s.orders.history.at(-1)).toEqual({ at: '2026-01-01T10:15:00.000Z', value: 1 });
    expect(s.orders.history.at(-2)).toEqual({ at: '2026-01-01T10:14:00.000Z', value: 2 });
    expect(s.orders.history[0]!.at).toBe('2026-01-01T10:01:00.000Z');
    expect(s.orders).toMatchObject({ lastMinute: 2, total: 3, perMinute: 0.2 });
  });

  it('counts refunded orders and outright failures as workflow failures; only outright ones are errors', async () => {
    const runs: WorkflowRun[] = [
      { name: 'refunded', status: 'SUCCEEDED', refunded: true, startedAt: at('10:10:00'), stoppedAt: at('10:12:00') },
      { name: 'delivered', status: 'SUCCEEDED', refunded: false, startedAt: at('10:10:00'), stoppedAt: at('10:13:00') },
      { name: 'broken', status: 'FAILED', startedAt: at('09:50:00'), stoppedAt: at('10:14:10') },
      { name: 'long-ago', status: 'FAILED', startedAt: at('08:00:00'), stoppedAt: at('08:30:00') },
    ];
    const s = await readOperations({ windowMinutes: 15 }, deps(runs, { LedgerWriteFailures: [{ minute: '2026-01-01T10:14:00.000Z', count: 4, sum: 4 }] }));
    expect(s.workflowFailures.total).toBe(2);
    expect(s.workflowFailures.recent.map((r) => [r.order, r.how])).toEqual([
      ['broken', 'failed'],
      ['refunded', 'refunded'],
    ]);
    expect(s.errors).toMatchObject({ total: 4 + 2 + 1, ledgerWriteFailures: 4, deadLetters: 2, workflowsFailed: 1 });
    expect(s.errors.history.find((p) => p.at === '2026-01-01T10:14:00.000Z')!.value).toBe(5);
  });

  it('averages the ledger commit latency per minute and over the window, and passes the gauges through', async () => {
    const s = await readOperations(
      { windowMinutes: 5 },
      deps([], {
        LedgerCommitLatency: [
          { minute: '2026-01-01T10:12:00.000Z', count: 2, sum: 100 },
          { minute: '2026-01-01T10:15:00.000Z', count: 1, sum: 400 },
        ],
      }),
    );
    expect(s.ledger).toMatchObject({ waiting: 3, inFlight: 1, deadLetters: 2, commits: 3, latencyMs: 167 });
    expect(s.ledger.history.map((p) => p.value)).toEqual([0, 50, 0, 0, 400]);
    expect(s.printers).toEqual({ registered: 3, online: 2 });
  });

  it('has no latency without commits', async () => {
    expect((await readOperations({ windowMinutes: 5 }, deps([]))).ledger.latencyMs).toBeNull();
  });
});
