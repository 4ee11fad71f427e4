// An operator's jobs and decisions, over in-memory ports: what a printer's shadow names is shown only when the order
// confirms it was offered to that printer, and a decision goes only to the printer holding a live offer.
import { describe, expect, it } from 'vitest';
import { Conflict, NotFound } from '../../../shared/errors.js';
import { decideJob, listMyJobs } from '../../../shared/orders/operator-jobs.js';
import type { Order } from '../../../shared/orders/order.js';
import type { OrderStore } from '../../../shared/orders/ports.js';
import type { PrinterShadows, PrinterStore } from '../../../shared/printers/ports.js';
import type { Printer } from '../../../shared/printers/printer.js';
import { anOrder } from '../../support/fakes/orders.js';

const printer = (printerId: string, operatorId: string): Printer => ({
  printerId,
  operatorId,
  config: { name: `Name of ${printerId}`, region: 'Lyon', profile: {} as Printer['config']['profile'], loadedMaterials: [{ type: 'PLA', color: 'black' }], approveJobs: true, version: 1 },
  terms: { feePerHourCents: 100, feePerGramCents: 5, text: 'Terms text here.', version: 1, createdAt: '' },
  deviceKeys: { encryptionKey: 'e', signingKey: 's' },
  createdAt: '',
  updatedAt: '',
  revision: 1,
});

const orderId = (n: number) => `ord_${String(n).padStart(24, '0')}`;

function order(n: number, printerId: string, extra: Partial<Order> = {}): Order {
  const id = orderId(n);
  return anOrder({
    orderId: id,
    quote: { currency: 'eur', designPriceCents: 1000, printingFeeCents: 300, commissionCents: 130, shippingCents: 490, totalCents: 1920, estimate: { printSeconds: 900, grams: 4 } },
    status: 'dispatched',
    attempts: [{ printerId, jobId: `${id}.0`, offeredAt: `2026-12-02T10:0${n}:00Z` }],
    waiting: { step: 'dispatch', token: 'tok', jobId: `${id}.0` },
    ...extra,
  });
}

function setup() {
  const printers = new Map([
    ['p1', printer('p1', 'op1')],
    ['p2', printer('p2', 'op2')],
  ]);
  const orders = new Map<string, Order>();
  const reports = new Map<string, Record<string, unknown>>();
  const sent: { thing: string; kind: string; payload: object }[] = [];
  const deps = {
    printers: { get: async (id: string) => printers.get(id), listByOperator: async (op: string) => [...printers.values()].filter((p) => p.operatorId === op) } as unknown as PrinterStore,
    orders: { get: async (id: string) => orders.get(id) } as unknown as OrderStore,
    shadows: { reported: async (t: string) => reports.get(t), setDesired: async () => undefined } satisfies PrinterShadows,
    messages: { publish: async (thing: string, kind: string, payload: object) => void sent.push({ thing, kind, payload }) },
  };
  return { printers, orders, reports, sent, deps };
}

describe('an operator’s jobs', () => {
  it('lists held, printing and finished jobs of the operator’s own printers, decisions first', async () => {
    const { orders, reports, deps } = setup();
    orders.set(orderId(1), order(1, 'p1'));
    orders.set(orderId(2), order(2, 'p1', { status: 'printing', attempts: [{ printerId: 'p1', jobId: `${orderId(2)}.0`, offeredAt: '2026-12-02T10:02:00Z', outcome: 'accepted' }], waiting: { step: 'print', token: 't', jobId: `${orderId(2)}.0` } }));
    orders.set(orderId(3), order(3, 'p1', { attempts: [{ printerId: 'p1', jobId: `${orderId(3)}.0`, offeredAt: '2026-12-02T10:03:00Z', outcome: 'rejected', reason: 'no time' }] }));
    reports.set('p1', { offers: [{ jobId: `${orderId(1)}.0` }], job: `${orderId(2)}.0`, progress: { jobId: `${orderId(2)}.0`, layer: 3, layers: 10, percent: 30 }, recent: [{ jobId: `${orderId(3)}.0` }] });
    const jobs = await listMyJobs({ operatorId: 'op1' }, deps);
    expect(jobs.map((j) => [j.orderId, j.state])).toEqual([
      [orderId(1), 'awaiting-decision'],
      [orderId(2), 'printing'],
      [orderId(3), 'rejected'],
    ]);
    expect(jobs[0]).toMatchObject({ printerName: 'Name of p1', payoutCents: 790, estimate: { printSeconds: 900, grams: 4 } });
    expect(jobs[1]!.progress).toEqual({ layer: 3, layers: 10, percent: 30 });
    expect(jobs[2]!.reason).toBe('no time');
    expect(await listMyJobs({ operatorId: 'op2' }, deps)).toEqual([]);
  });

  it('does not show a job a printer’s shadow names unless its order offered it to that printer', async () => {
    const { orders, reports, deps } = setup();
    orders.set(orderId(4), order(4, 'p2'));
    // p1 (op1's) claims p2's job, and a job of no order at all: neither reaches op1.
    reports.set('p1', { offers: [{ jobId: `${orderId(4)}.0` }, { jobId: 'ord_ffffffffffffffffffffffff.0' }, { jobId: 42 }], job: 'not-a-job' });
    expect(await listMyJobs({ operatorId: 'op1' }, deps)).toEqual([]);
  });
});

describe('an operator’s decision', () => {
  it('goes to the printer that holds the offer, and only there', async () => {
    const { orders, reports, sent, deps } = setup();
    orders.set(orderId(1), order(1, 'p1'));
    reports.set('p1', { offers: [{ jobId: `${orderId(1)}.0` }] });
    expect(await decideJob({ operatorId: 'op1', jobId: `${orderId(1)}.0`, decision: 'reject', reason: 'out of PLA' }, deps)).toEqual({ jobId: `${orderId(1)}.0`, decision: 'reject', sentTo: 'p1' });
    expect(sent).toEqual([{ thing: 'p1', kind: 'decisions', payload: { jobId: `${orderId(1)}.0`, decision: 'reject', reason: 'out of PLA' } }]);
  });

  it('is 404 for another operator’s job and for no job, 409 once the offer is no longer open or not held', async () => {
    const { orders, reports, sent, deps } = setup();
    orders.set(orderId(1), order(1, 'p1'));
    await expect(decideJob({ operatorId: 'op2', jobId: `${orderId(1)}.0`, decision: 'accept' }, deps)).rejects.toBeInstanceOf(NotFound);
    await expect(decideJob({ operatorId: 'op1', jobId: 'nonsense', decision: 'accept' }, deps)).rejects.toBeInstanceOf(NotFound);
    await expect(decideJob({ operatorId: 'op1', jobId: `${orderId(9)}.0`, decision: 'accept' }, deps)).rejects.toBeInstanceOf(NotFound);
    // Offered but not held (the printer decides by itself, or restarted): nothing is sent.
    await expect(decideJob({ operatorId: 'op1', jobId: `${orderId(1)}.0`, decision: 'accept' }, deps)).rejects.toThrow(/does not hold/);
    reports.set('p1', { offers: [{ jobId: `${orderId(1)}.0` }] });
    orders.set(orderId(1), order(1, 'p1', { attempts: [{ printerId: 'p1', jobId: `${orderId(1)}.0`, offeredAt: '', outcome: 'accepted' }] }));
    await expect(decideJob({ operatorId: 'op1', jobId: `${orderId(1)}.0`, decision: 'reject' }, deps)).rejects.toBeInstanceOf(Conflict);
    expect(sent).toEqual([]);
  });
});
