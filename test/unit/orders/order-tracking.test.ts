// Live tracking: a printer's signed progress reports land on the order (layer x of y, expected finish), and the watch
// the SSE stream serves yields the order again each time it changes, only to those who may see it.
import { describe, expect, it } from 'vitest';
import { generateDeviceKeys, publicKeys, signReport } from '../../../shared/printing/device-keys.js';
import { recordJobReport, type JobReport } from '../../../shared/orders/order-steps.js';
import { watchOrder } from '../../../shared/orders/watch-order.js';
import type { TaskCallbacks } from '../../../shared/orders/ports.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import type { Printer } from '../../../shared/printers/printer.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import { DeviceSigningKeys } from '../../../shared/printers/device-signing-keys.js';
import { anOrder } from '../../support/fakes/orders.js';

const at = '2026-12-01T10:00:00.000Z';
const orderId = `ord_${'a'.repeat(24)}`;
const jobId = `${orderId}.1`;

/** The shared in-memory order store; `map` names its orders as this test reads them. */
class Orders extends InMemoryOrderStore {
  get map() {
    return this.orders;
  }
}

function given() {
  const keys = generateDeviceKeys();
  const printer = { printerId: 'p1', operatorId: 'op', deviceKeys: publicKeys(keys) } as unknown as Printer;
  const printers = { get: async (id: string) => (id === 'p1' ? printer : undefined) } as unknown as PrinterStore;
  const heartbeats: string[] = [];
  const callbacks: TaskCallbacks = { succeed: async () => true, fail: async () => true, heartbeat: async (t) => (heartbeats.push(t), true) };
  const orders = new Orders();
  const order = anOrder({ orderId, status: 'printing', attempts: [{ printerId: 'p1', jobId, offeredAt: at, outcome: 'accepted' }], waiting: { step: 'print', token: 'tok', jobId }, createdAt: at, updatedAt: at });
  void orders.create(order);
  const deps = { orders, signingKeys: new DeviceSigningKeys(printers), callbacks, now: () => new Date(at) };
  const report = (r: Partial<JobReport>) => recordJobReport({ thing: 'p1', signed: signReport({ thing: 'p1', at, jobId, ...r } as JobReport, keys) }, deps);
  return { orders, report, heartbeats, keys, deps };
}

describe('progress reports', () => {
  it('keep the latest layer of the current job on the order, shown as layer x of y with the expected finish', async () => {
    const { orders, report, heartbeats } = given();
    await report({ layer: 3, layers: 40, percent: 7.5, remainingSeconds: 1200 });
    // Out of order: an earlier layer arriving late does not move the progress back.
    await report({ layer: 2, layers: 40, percent: 5, remainingSeconds: 1300 });
    expect(heartbeats).toEqual(['tok', 'tok']);
    const { orderView } = await import('../../../shared/orders/order.js');
    const view = orderView((await orders.get(orderId))!);
    expect(view.progress).toEqual({ layer: 3, layers: 40, percent: 7.5, expectedFinishAt: '2026-12-01T10:20:00.000Z', reportedAt: at });
  });

  it('ignore a report without sane numbers, and one not signed by the printer’s device key', async () => {
    const { orders, report, deps } = given();
    await report({ layer: 41, layers: 40, remainingSeconds: 10 });
    await report({ layer: 1, layers: 40 });
    expect((await orders.get(orderId))!.progress).toBeUndefined();
    const forged = signReport({ thing: 'p1', at, jobId, layer: 1, layers: 2, remainingSeconds: 1 } as JobReport, generateDeviceKeys());
    await expect(recordJobReport({ thing: 'p1', signed: forged }, deps)).rejects.toThrow('not signed by its device key');
  });

  it('keep the lot a finished job was printed from only if it is a lot id', async () => {
    const first = given();
    await first.report({ event: 'completed', materialLot: 'PLA-LOT-118' });
    expect((await first.orders.get(orderId))!.printResult).toMatchObject({ outcome: 'completed', materialLot: 'PLA-LOT-118' });
    // A device's garbage (too long for a key, or not a lot id) is dropped; the job's end still counts.
    for (const bad of ['x'.repeat(3000), 'lot 7/b', 42]) {
      const g = given();
      await g.report({ event: 'completed', materialLot: bad as string });
      const result = (await g.orders.get(orderId))!.printResult;
      expect(result).toMatchObject({ outcome: 'completed' });
      expect(result).not.toHaveProperty('materialLot');
    }
  });

  it('stop counting once the job has ended', async () => {
    const { orders, report } = given();
    await report({ event: 'completed' });
    await report({ layer: 1, layers: 40, remainingSeconds: 100 });
    expect((await orders.get(orderId))!.progress).toBeUndefined();
  });
});

describe('watching an order', () => {
  const viewer = (userId: string) => ({ userId, groups: ['customer'], operatesPrinter: () => false });

  it('yields the order at once, then on each change, and ends when the order ends', async () => {
    const { orders, report } = given();
    let t = Date.parse(at);
    const steps = [
      () => report({ layer: 1, layers: 2, remainingSeconds: 60 }),
      async () => undefined, // nothing changed: nothing yielded
      () => report({ layer: 2, layers: 2, remainingSeconds: 0 }),
      async () => {
        const o = (await orders.get(orderId))!;
        await orders.save({ ...o, status: 'completed', revision: o.revision + 1 }, o.revision);
      },
    ];
    const deps = { orders, now: () => new Date(t), sleep: async (ms: number) => void ((t += ms), await steps.shift()?.()) };
    const seen: string[] = [];
    for await (const v of watchOrder(orderId, viewer('bob'), deps, { pollMs: 1000, maxMs: 60_000 })) seen.push(`${v.status} ${v.progress?.layer ?? '-'}/${v.progress?.layers ?? '-'}`);
    expect(seen).toEqual(['printing -/-', 'printing 1/2', 'printing 2/2', 'completed 2/2']);
  });

  it('refuses someone who may not see the order before yielding anything, and stops at its time limit', async () => {
    const { orders } = given();
    let t = Date.parse(at);
    const deps = { orders, now: () => new Date(t), sleep: async (ms: number) => void (t += ms) };
    await expect(watchOrder(orderId, viewer('eve'), deps, { pollMs: 1000, maxMs: 5000 }).next()).rejects.toThrow('not found');
    const views = [];
    for await (const v of watchOrder(orderId, viewer('bob'), deps, { pollMs: 1000, maxMs: 5000 })) views.push(v);
    expect(views).toHaveLength(1);
    expect(t - Date.parse(at)).toBeLessThanOrEqual(5000);
  });
});
