import { describe, expect, it } from 'vitest';
import { cachedHealthCheck, checkHealth } from '../../../shared/platform/check-health.js';

describe('checkHealth', () => {
  it('reports every component and is ok only when all are', async () => {
    let t = 0;
    const report = await checkHealth({
      probes: {
        table: async () => ({ ok: true, detail: 'ACTIVE' }),
        ledger: async () => {
          await new Promise((r) => setTimeout(r, 0));
          t += 5;
          throw new Error('connect ECONNREFUSED');
        },
      },
      now: () => t,
      timeoutMs: 100,
    });
    expect(report.status).toBe('degraded');
    expect(report.components.table).toEqual({ ok: true, detail: 'ACTIVE', latencyMs: 0 });
    expect(report.components.ledger).toEqual({ ok: false, detail: 'connect ECONNREFUSED', latencyMs: 5 });
  });

  it('marks a probe that never answers as down after the timeout', async () => {
    const report = await checkHealth({ probes: { stuck: () => new Promise(() => undefined) }, now: () => 0, timeoutMs: 10 });
    expect(report.components.stuck).toMatchObject({ ok: false, detail: 'no answer within 10 ms' });
  });
});

describe('cachedHealthCheck', () => {
  it('asks the components at most once per max age, sharing concurrent rounds', async () => {
    let t = 0;
    let calls = 0;
    const check = cachedHealthCheck({
      probes: { a: async () => (calls++, { ok: true }) },
      now: () => t,
      timeoutMs: 100,
      maxAgeMs: 1000,
    });
    await Promise.all([check(), check(), check()]);
    expect(calls).toBe(1);
    t = 999;
    await check();
    expect(calls).toBe(1);
    t = 1000;
    const r = await check();
    expect(calls).toBe(2);
    expect(r.checkedAt).toBe(1000);
  });
});
