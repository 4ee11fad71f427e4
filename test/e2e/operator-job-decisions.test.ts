// An operator decides the jobs offered to their printer: with "operator approves jobs" in its configuration, the
// printer agent holds each offer and lists it in its shadow; GET /me/jobs shows it; POST /jobs/{jobId}/decision goes
// to the printer over MQTT and the printer answers the order itself, signed. Accepted, it prints; rejected, the order
// is offered to the next printer. The dashboard's telemetry (temperatures, material, progress, presence) comes from
// the same shadow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPrinter, listDesign, orderOn, type Agent } from '../support/fleet.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { until } from '../support/until.js';

interface JobView {
  jobId: string;
  orderId: string;
  printerId: string;
  state: string;
  payoutCents: number;
  progress?: { layer: number; layers: number; percent: number };
  reason?: string;
}
interface OrderView {
  status: string;
  attempts: { printerId: string; outcome: string; reason?: string }[];
}
interface MyPrinter {
  printerId: string;
  online: boolean;
  status: string;
  lastReportAt: string | null;
  config: { approveJobs?: boolean; version: number };
  reported: { nozzleC?: number; bedC?: number; material?: { type: string; levelPct: number }; approveJobs?: boolean; offers?: { jobId: string }[]; alerts?: unknown[] } | null;
}

describe('the operator accepts or rejects the jobs their printer holds', () => {
  let t: TestPlatform;
  const agents: Agent[] = [];
  let designId = '';
  let approving = '';
  let other = '';

  const jobs = async () => (await (await t.api('/me/jobs', 'printer')).json()) as JobView[];
  const orderOf = async (id: string) => (await (await t.api(`/orders/${id}`, 'customer')).json()) as OrderView;
  const decide = (jobId: string, body: unknown, as = 'printer') => t.api(`/jobs/${encodeURIComponent(jobId)}/decision`, as, { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await startTestPlatform();
    designId = await listDesign(t, 'Decision hook');
    const a = await addPrinter(t, 'Approving MK4', { config: { approveJobs: true }, agent: { timeScale: 2000 } });
    const b = await addPrinter(t, 'Automatic MK3');
    agents.push(a.agent, b.agent);
    approving = a.printerId;
    other = b.printerId;
  }, 90_000);

  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await t?.close();
  });

  it('shows each printer’s presence and telemetry, and the approval mode its agent took from the shadow', async () => {
    const mine = (await (await t.api('/me/printers', 'printer')).json()) as MyPrinter[];
    const p = mine.find((m) => m.printerId === approving)!;
    expect(p).toMatchObject({ online: true, status: 'idle', config: { approveJobs: true } });
    expect(Date.parse(p.lastReportAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(p.reported).toMatchObject({ nozzleC: expect.any(Number), bedC: expect.any(Number), material: { type: 'PLA', levelPct: 100 }, approveJobs: true, alerts: [] });
    expect(mine.find((m) => m.printerId === other)!.reported?.approveJobs).toBe(false);
  });

  it('accepted: the held offer is printed by the printer that held it', async () => {
    const orderId = await orderOn(t, designId, approving);
    const held = await until('the offer held for a decision', jobs, (l) => l.some((j) => j.orderId === orderId && j.state === 'awaiting-decision'));
    const job = held.find((j) => j.orderId === orderId)!;
    expect(job).toMatchObject({ printerId: approving, payoutCents: expect.any(Number) });
    // Held, the order waits: nobody printed it on their own.
    await new Promise((r) => setTimeout(r, 500));
    expect((await orderOf(orderId)).status).toBe('dispatched');

    // Only the operator of the printer decides; other roles are refused before anything is looked up.
    expect((await decide(job.jobId, { decision: 'accept' }, 'customer')).status).toBe(403);
    expect((await decide(job.jobId, { decision: 'maybe' })).status).toBe(400);
    expect((await decide('ord_000000000000000000000000.0', { decision: 'accept' })).status).toBe(404);

    const accepted = await decide(job.jobId, { decision: 'accept' });
    expect(accepted.status).toBe(202);
    const printed = await until('order printed', () => orderOf(orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    expect(printed.status).toBe('shipped');
    expect(printed.attempts).toEqual([expect.objectContaining({ printerId: approving, outcome: 'completed' })]);
    // Decided already: a second decision is refused with a reason, and the finished job stays in the list for now.
    const again = await decide(job.jobId, { decision: 'reject' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toContain('no longer waiting');
    expect((await jobs()).find((j) => j.jobId === job.jobId)?.state).toBe('completed');
  });

  it('rejected: the order goes to the next printer, with the operator’s reason kept on the attempt', async () => {
    const orderId = await orderOn(t, designId, approving);
    const held = await until('the offer held for a decision', jobs, (l) => l.some((j) => j.orderId === orderId && j.state === 'awaiting-decision'));
    const job = held.find((j) => j.orderId === orderId)!;
    expect((await decide(job.jobId, { decision: 'reject', reason: 'nozzle change today' })).status).toBe(202);
    const printed = await until('order printed elsewhere', () => orderOf(orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    expect(printed.status).toBe('shipped');
    expect(printed.attempts).toEqual([
      expect.objectContaining({ printerId: approving, outcome: 'rejected', reason: 'the operator declined the job: nozzle change today' }),
      expect.objectContaining({ printerId: other, outcome: 'completed' }),
    ]);
    expect((await jobs()).find((j) => j.jobId === job.jobId)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('nozzle change today') });
  });

  it('keeps a printer’s alerts: an overheating print shows on its card and as a failed job', async () => {
    const hot = await addPrinter(t, 'Overheating MK2', { agent: { faults: { thermalAt: 0.3 } } });
    agents.push(hot.agent);
    const orderId = await orderOn(t, designId, hot.printerId);
    const mine = await until(
      'the alert in the printer’s report',
      async () => (await (await t.api('/me/printers', 'printer')).json()) as MyPrinter[],
      (l) => (l.find((p) => p.printerId === hot.printerId)?.reported?.alerts ?? []).length > 0,
    );
    const p = mine.find((m) => m.printerId === hot.printerId)!;
    expect(p.reported?.alerts).toEqual([expect.objectContaining({ type: 'thermal-runaway', jobId: `${orderId}.0`, detail: expect.stringContaining('heaters shut down'), at: expect.any(String) })]);
    const failed = await until('the failed job', jobs, (l) => l.some((j) => j.jobId === `${orderId}.0` && j.state === 'failed'));
    expect(failed.find((j) => j.jobId === `${orderId}.0`)?.reason).toContain('thermal alert');
  });

  it('a printer that stops says so: its operator sees it offline', async () => {
    await agents[1]!.stop();
    const mine = await until(
      'printer offline',
      async () => (await (await t.api('/me/printers', 'printer')).json()) as MyPrinter[],
      (l) => l.find((p) => p.printerId === other)?.online === false,
    );
    expect(mine.find((p) => p.printerId === other)).toMatchObject({ online: false, status: 'offline' });
  });
});
