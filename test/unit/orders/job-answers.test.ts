// A printer's answer to an offer moves the workflow on and is recorded once, by the step it moves to: the Print step
// records an acceptance, the Dispatch step (entered again with the error) a refusal. The report itself writes nothing.
import { describe, expect, it } from 'vitest';
import { generateDeviceKeys, publicKeys, signReport } from '../../../shared/printing/device-keys.js';
import { awaitPrint, recordJobReport, type JobReport } from '../../../shared/orders/order-steps.js';
import type { TaskCallbacks } from '../../../shared/orders/ports.js';
import type { Order } from '../../../shared/orders/order.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import type { Printer } from '../../../shared/printers/printer.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import { DeviceSigningKeys } from '../../../shared/printers/device-signing-keys.js';
import { anOrder } from '../../support/fakes/orders.js';

const at = '2026-12-02T10:00:00.000Z';
const orderId = `ord_${'b'.repeat(24)}`;
const jobId = `${orderId}.0`;

/** Counts the writes, which is what this behaviour is about. */
class CountingOrders extends InMemoryOrderStore {
  saves = 0;
  override saveOrCurrent(o: Order, expectedRevision: number) {
    this.saves++;
    return super.saveOrCurrent(o, expectedRevision);
  }
}

function given(overrides: Partial<Order> = {}) {
  const keys = generateDeviceKeys();
  const printer = { printerId: 'p1', operatorId: 'op', deviceKeys: publicKeys(keys) } as unknown as Printer;
  const printers = { get: async (id: string) => (id === 'p1' ? printer : undefined) } as unknown as PrinterStore;
  const calls: string[] = [];
  const callbacks: TaskCallbacks = {
    succeed: async (t, out) => (calls.push(`succeed ${t} ${JSON.stringify(out)}`), true),
    fail: async (t, error, cause) => (calls.push(`fail ${t} ${error} ${cause}`), true),
    heartbeat: async () => true,
  };
  const orders = new CountingOrders();
  void orders.create(anOrder({ orderId, status: 'dispatched', attempts: [{ printerId: 'p1', jobId, offeredAt: at }], waiting: { step: 'dispatch', token: 'offer', jobId }, createdAt: at, updatedAt: at, ...overrides }));
  const deps = { orders, signingKeys: new DeviceSigningKeys(printers), callbacks, now: () => new Date(at) };
  const report = (r: Partial<JobReport>) => recordJobReport({ thing: 'p1', signed: signReport({ thing: 'p1', at, jobId, ...r } as JobReport, keys) }, deps);
  return { orders, report, calls, deps };
}

describe('a printer’s answer to an offer', () => {
  it('accepted: the workflow moves on with the job, and the Print step records the acceptance in its one write', async () => {
    const { orders, report, calls, deps } = given();
    await report({ event: 'accepted' });
    expect(calls).toEqual([`succeed offer ${JSON.stringify({ jobId, printerId: 'p1' })}`]);
    expect(orders.saves).toBe(0);
    // A repeated answer only finds the token closed.
    await report({ event: 'accepted' });
    expect(orders.saves).toBe(0);

    await awaitPrint({ orderId, taskToken: 'print', accepted: { jobId, printerId: 'p1' } as { jobId: string } }, deps);
    const o = (await orders.get(orderId))!;
    expect(orders.saves).toBe(1);
    expect(o.status).toBe('printing');
    expect(o.attempts).toEqual([{ printerId: 'p1', jobId, offeredAt: at, outcome: 'accepted' }]);
    expect(o.waiting).toEqual({ step: 'print', token: 'print', jobId });
    // The step retried (a Lambda retry with the same token) writes nothing more.
    await awaitPrint({ orderId, taskToken: 'print', accepted: { jobId } }, deps);
    expect(orders.saves).toBe(1);
  });

  it('a job that ended before the Print step began keeps how it ended, and the step hands its result on at once', async () => {
    const { orders, report, calls, deps } = given();
    await report({ event: 'accepted' });
    // The print finished before the workflow reached the Print step (time runs fast for simulated printers).
    await report({ event: 'completed' });
    await awaitPrint({ orderId, taskToken: 'print', accepted: { jobId } }, deps);
    const o = (await orders.get(orderId))!;
    expect(o.attempts[0]!.outcome).toBe('completed');
    expect(calls.at(-1)).toBe(`succeed print ${JSON.stringify({ jobId })}`);
  });

  it('rejected or busy: the workflow is told why, and the order is left for the Dispatch step to record', async () => {
    const { orders, report, calls } = given();
    await report({ event: 'rejected', busy: true, reason: 'printing another job' });
    expect(calls).toEqual(['fail offer PrinterBusy printing another job']);
    expect(orders.saves).toBe(0);
    expect((await orders.get(orderId))!.attempts[0]!.outcome).toBeUndefined();
  });

  it('an answer to an offer the workflow no longer waits for moves nothing', async () => {
    const { report, calls } = given({ waiting: { step: 'print', token: 'print', jobId } });
    await report({ event: 'accepted' });
    await report({ event: 'rejected' });
    expect(calls).toEqual([]);
  });
});
