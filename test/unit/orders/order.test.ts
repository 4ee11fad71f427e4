// The pure rules of an order: the itemized quote, which printers can take a job and in which order, the GTIN check
// digit on tags, and who may read an order.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Design } from '../../../shared/designs/design.js';
import { checkPrintability } from '../../../shared/designs/printability.js';
import { assertMayView, commissionBps, expectedDelivery, matchPrinters, quoteOption, shippingDays, orderIdFor, orderIdOfJob, jobIdFor, quote, reached, shippingCents, unsuitability, type Candidate, type Order } from '../../../shared/orders/order.js';
import { gtinCheckDigit, sliceSettingsFor } from '../../../shared/orders/order-steps.js';
import { candidates, rankedCandidates, type MatchDeps } from '../../../shared/orders/place-order.js';
import { defaultPrintParams, PrintParams } from '../../../shared/orders/order.js';
import type { Printer } from '../../../shared/printers/printer.js';
import { defaultProfile } from '../../../shared/slicing/printer-profile.js';
import { box } from '../../support/meshes.js';

const at = '2026-12-01T10:00:00.000Z';

async function listedDesign(size: [number, number, number]): Promise<Extract<Design, { status: 'listed' }>> {
  const report = await checkPrintability(box(...size));
  return {
    designId: 'd1',
    designerId: 'alice',
    title: 'Box',
    description: '',
    tags: [],
    terms: { priceCents: 1200, royaltyCents: 500, editionSize: 10, allowedMaterials: ['PLA'], commercialUse: false, version: 1, createdAt: at },
    createdAt: at,
    updatedAt: at,
    revision: 1,
    status: 'listed',
    stl: { fingerprint: 'f'.repeat(64), format: 'binary', sizeBytes: 684, triangleCount: 12, sealedKey: 'k' },
    report,
  };
}

function printer(id: string, opts: { materials?: ('PLA' | 'PETG')[]; bed?: number; createdAt?: string } = {}): Printer {
  return {
    printerId: id,
    operatorId: 'op',
    config: { name: id, region: 'Lyon', profile: { ...defaultProfile, bed: { x: opts.bed ?? 220, y: opts.bed ?? 220 } }, loadedMaterials: (opts.materials ?? ['PLA']).map((type) => ({ type, color: 'black' })), version: 1 },
    terms: { feePerHourCents: 300, feePerGramCents: 4, text: 'Printed within two days.', version: 1, createdAt: at },
    deviceKeys: { encryptionKey: 'e'.repeat(43), signingKey: 's'.repeat(43) },
    createdAt: opts.createdAt ?? at,
    updatedAt: at,
    revision: 1,
  };
}

const candidate = (p: Printer, extra: Partial<Candidate> = {}): Candidate => ({ printer: p, online: true, rating: 0, queueLength: 0, ...extra });

describe('the quote', () => {
  it('itemizes the design price, the printing fee from the printer’s terms, the commission and shipping, and adds up', async () => {
    const design = await listedDesign([40, 40, 40]); // 64 cm³: 79 g of PLA, about 3 hours at the quote's rate
    const q = quote(design, printer('p1'), 'PLA');
    expect(q.estimate.grams).toBe(Math.round(64 * 1.24));
    expect(q.printingFeeCents).toBe(Math.ceil(q.estimate.printSeconds / 3600) * 300 + q.estimate.grams * 4);
    expect(q.commissionCents).toBe(Math.round(((1200 + q.printingFeeCents) * commissionBps) / 10_000));
    expect(q).toMatchObject({ currency: 'eur', designPriceCents: 1200, shippingCents });
    expect(q.totalCents).toBe(1200 + q.printingFeeCents + q.commissionCents + shippingCents);
  });
});

describe('print parameters', () => {
  it('default to 0.2 mm layers, 20 % infill and 2 walls, and refuse a layer height no profile offers', () => {
    expect(PrintParams.parse({})).toEqual({ layerHeightMm: 0.2, infillPercent: 20, perimeters: 2 });
    expect(PrintParams.safeParse({ layerHeightMm: 0.17 }).success).toBe(false);
    expect(PrintParams.safeParse({ infillPercent: 101 }).success).toBe(false);
    expect(PrintParams.safeParse({ perimeters: 0 }).success).toBe(false);
    expect(PrintParams.safeParse({ layerHeightMm: 0.1, infillPercent: 0, perimeters: 6 }).success).toBe(true);
  });

  it('price what they cost: finer layers take longer, more infill and walls weigh more, the defaults quote as before', async () => {
    const design = await listedDesign([40, 40, 40]);
    const p = printer('p1');
    const base = quote(design, p, 'PLA');
    expect(quote(design, p, 'PLA', defaultPrintParams)).toEqual(base);
    const fine = quote(design, p, 'PLA', { ...defaultPrintParams, layerHeightMm: 0.1 });
    expect(fine.estimate.printSeconds).toBeGreaterThan(1.9 * base.estimate.printSeconds);
    expect(fine.estimate.grams).toBe(base.estimate.grams);
    const dense = quote(design, p, 'PLA', { ...defaultPrintParams, infillPercent: 100, perimeters: 4 });
    expect(dense.estimate.grams).toBeGreaterThan(base.estimate.grams);
    expect(dense.totalCents).toBeGreaterThan(base.totalCents);
    const light = quote(design, p, 'PLA', { ...defaultPrintParams, infillPercent: 0 });
    expect(light.estimate.grams).toBeLessThan(base.estimate.grams);
  });

  it('reach the slicer as its settings, with a first layer that still holds to the bed', () => {
    const s = sliceSettingsFor('PETG', { layerHeightMm: 0.1, infillPercent: 35, perimeters: 3 });
    expect(s).toMatchObject({ layerHeight: 0.1, firstLayerHeight: 0.2, infillDensity: 0.35, perimeters: 3, filamentDensity: 1.27 });
    expect(sliceSettingsFor('PLA', { layerHeightMm: 0.3, infillPercent: 20, perimeters: 2 }).firstLayerHeight).toBe(0.3);
  });
});

describe('matching printers', () => {
  it('keeps online printers with the material loaded and room for the design, best rated first, then the shortest queue', async () => {
    const design = await listedDesign([100, 100, 30]);
    const all = [
      candidate(printer('offline'), { online: false, rating: 5 }),
      candidate(printer('petg-only', { materials: ['PETG'] }), { rating: 5 }),
      candidate(printer('too-small', { bed: 80 }), { rating: 5 }),
      candidate(printer('busy'), { rating: 4, queueLength: 3 }),
      candidate(printer('free'), { rating: 4, queueLength: 0 }),
      candidate(printer('top'), { rating: 4.8, queueLength: 9 }),
    ];
    expect(matchPrinters(design, all, 'PLA').map((c) => c.printer.printerId)).toEqual(['top', 'free', 'busy']);
    expect(matchPrinters(design, all, 'PLA', new Set(['top', 'free'])).map((c) => c.printer.printerId)).toEqual(['busy']);
    expect(unsuitability(design, all[0]!, 'PLA')).toBe('offline');
    expect(unsuitability(design, all[1]!, 'PLA')).toBe('PLA is not loaded');
    expect(unsuitability(design, all[2]!, 'PLA')).toBe('the design does not fit its build volume');
  });
});

/** A fleet behind the match's ports, counting the device shadows read. */
function fleet(printers: { p: Printer; rating: number; status?: string; job?: boolean }[]) {
  const reads: string[] = [];
  const deps: MatchDeps = {
    printers: { list: async () => printers.map((f) => f.p) },
    ratings: { printerRatings: async (ids) => new Map(printers.filter((f) => ids.includes(f.p.printerId) && f.rating > 0).map((f) => [f.p.printerId, { mean: f.rating, count: 2 }])) },
    shadows: {
      reported: async (id) => {
        reads.push(id);
        const f = printers.find((x) => x.p.printerId === id)!;
        return f.status === undefined ? undefined : { status: f.status, ...(f.job ? { job: 'j1' } : {}) };
      },
    },
  };
  return { deps, reads };
}

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('matching printers, reading their presence lazily', () => {
  it('yields exactly what matchPrinters ranks from every printer’s presence, over many random fleets', async () => {
    const design = await listedDesign([100, 100, 30]);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    for (let round = 0; round < 200; round++) {
      const printers = Array.from({ length: Math.floor(rand() * 12) }, (_, i) => ({
        p: printer(`p${i}`, { materials: pick([['PLA'], ['PETG'], ['PLA', 'PETG']] as ('PLA' | 'PETG')[][]), bed: pick([80, 220]) }),
        rating: pick([0, 4, 4.5, 5]),
        status: pick([undefined, 'offline', 'idle', 'printing']),
        job: rand() < 0.4,
      }));
      const exclude = new Set(printers.filter(() => rand() < 0.2).map((f) => f.p.printerId));
      const { deps } = fleet(printers);
      const expected = matchPrinters(design, await candidates(deps), 'PLA', exclude, `ord_${round}.0`);
      expect(await collect(rankedCandidates(deps, design, 'PLA', exclude, `ord_${round}.0`)), `fleet ${round}`).toEqual(expected);
    }
  });

  it('reads one device shadow when the best printer is idle, and goes on only as far as it is asked', async () => {
    const design = await listedDesign([40, 40, 40]);
    const printers = Array.from({ length: 8 }, (_, i) => ({ p: printer(`p${i}`), rating: i === 5 ? 4.5 : 4, status: 'idle', job: false }));
    const { deps, reads } = fleet(printers);
    const first = await rankedCandidates(deps, design, 'PLA', new Set(), 'ord_1.0').next();
    expect(first.value?.printer.printerId).toBe('p5');
    expect(reads).toEqual(['p5']);

    // Two share the best rating and one of them is busy: the idle one comes first, and the read stops at it.
    printers[6]!.rating = 4.5;
    printers[5]!.job = true;
    const again = fleet(printers);
    const ranked = matchPrinters(design, await candidates(again.deps), 'PLA', new Set(), 'ord_1.0');
    again.reads.length = 0;
    const next = await rankedCandidates(again.deps, design, 'PLA', new Set(), 'ord_1.0').next();
    expect(ranked.slice(0, 2).map((c) => c.printer.printerId)).toEqual(['p6', 'p5']);
    expect(next.value?.printer.printerId).toBe('p6');
    expect(again.reads.length).toBeLessThanOrEqual(2);
    expect(again.reads.at(-1)).toBe('p6');
  });
});

describe('the printers a customer can choose from', () => {
  it('lists each with its terms, rating, price on this design and a delivery expected after the jobs ahead, the print and shipping', async () => {
    const design = await listedDesign([40, 40, 40]);
    const now = new Date(at);
    const p = printer('lyon-1', { materials: ['PLA', 'PETG'] });
    const option = quoteOption(design, candidate(p, { rating: 4.666, ratingCount: 3, queueLength: 1 }), 'PLA', now);
    const q = quote(design, p, 'PLA');
    expect(option).toMatchObject({ printerId: 'lyon-1', name: 'lyon-1', region: 'Lyon', rating: 4.7, ratingCount: 3, queueLength: 1, totalCents: q.totalCents, loadedColors: ['black'] });
    expect(option.terms).toEqual({ version: 1, text: 'Printed within two days.', feePerHourCents: 300, feePerGramCents: 4 });
    // One job ahead: twice this print's time, then the shipping days.
    expect(Date.parse(option.expectedDeliveryAt) - now.getTime()).toBe(2 * q.estimate.printSeconds * 1000 + shippingDays * 86_400_000);
    expect(expectedDelivery({ printSeconds: 3600, grams: 1 }, 0, now)).toBe(new Date(now.getTime() + 3_600_000 + shippingDays * 86_400_000).toISOString());
    expect(quoteOption(design, candidate(p), 'PLA', now).ratingCount).toBe(0);
  });
});

describe('ids, tags and visibility', () => {
  it('derives the order id from the customer and the client id, and finds it back from a job id', () => {
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    const id = orderIdFor('bob', 'c0ffee00-0000-4000-8000-000000000000', hash);
    expect(id).toMatch(/^ord_[0-9a-f]{24}$/);
    expect(orderIdFor('bob', 'c0ffee00-0000-4000-8000-000000000000', hash)).toBe(id);
    expect(orderIdFor('eve', 'c0ffee00-0000-4000-8000-000000000000', hash)).not.toBe(id);
    expect(orderIdOfJob(jobIdFor(id, 2))).toBe(id);
    expect(orderIdOfJob('job-1')).toBeUndefined();
  });

  it('computes GS1 check digits', () => {
    // Published examples: GTIN-13 4006381333931 is GTIN-14 04006381333931; 9501101020917 (GS1's own example).
    expect(gtinCheckDigit('0400638133393')).toBe(1);
    expect(gtinCheckDigit('0950110102091')).toBe(7);
  });

  it('shows an order to its customer, its designer, operators of printers it was offered to and admins; to nobody else', () => {
    const order = { orderId: 'ord_1', customerId: 'bob', designerId: 'alice', attempts: [{ printerId: 'p1', jobId: 'j', offeredAt: at }], status: 'paid' } as unknown as Order;
    const viewer = (userId: string, groups: string[] = ['customer'], operates: string[] = []) => ({ userId, groups, operatesPrinter: (id: string) => operates.includes(id) });
    expect(() => assertMayView(order, viewer('bob'))).not.toThrow();
    expect(() => assertMayView(order, viewer('alice', ['designer']))).not.toThrow();
    expect(() => assertMayView(order, viewer('op', ['printer'], ['p1']))).not.toThrow();
    expect(() => assertMayView(order, viewer('root', ['admin']))).not.toThrow();
    expect(() => assertMayView(order, viewer('eve'))).toThrow('not found');
    expect(() => assertMayView(order, viewer('op2', ['printer'], ['p2']))).toThrow('not found');
  });

  it('treats a step the order already passed, or any step of an ended order, as done', () => {
    const o = (status: Order['status']) => ({ status }) as Order;
    expect(reached(o('paid'), 'licensed')).toBe(true);
    expect(reached(o('licensed'), 'paid')).toBe(false);
    expect(reached(o('refunded'), 'shipped')).toBe(true);
  });
});

describe('the order as its viewers see it', () => {
  it('shows the parts of the payment given back from the provider’s dashboard, without the provider’s refund ids', async () => {
    const { anOrder } = await import('../../support/fakes/orders.js');
    const { orderView } = await import('../../../shared/orders/order.js');
    expect(orderView(anOrder({})).partialRefunds).toBeUndefined();
    const view = orderView(anOrder({ partialRefunds: [{ refundId: 're_1', amountCents: 700, at }, { refundId: 're_2', amountCents: 150, at }] }));
    expect(view.partialRefunds).toEqual([{ amountCents: 700, at }, { amountCents: 150, at }]);
  });
});

describe('a fleet list kept a moment', () => {
  it('is read again exactly when it has no printer for the order (one registered, or loaded with the material, since), and only then', async () => {
    const design = await listedDesign([40, 40, 40]);
    const petgOnly = { p: printer('p1', { materials: ['PETG'] }), rating: 4, status: 'idle', job: false };
    const fresh = { p: printer('p2'), rating: 4, status: 'idle', job: false };
    // The kept list predates p2, and p1 has loaded PLA since.
    const { deps } = fleet([petgOnly, fresh]);
    let exactReads = 0;
    const kept = { ...deps, printers: { list: async () => [petgOnly.p] }, freshPrinters: { list: async () => (exactReads++, [{ ...petgOnly.p, config: { ...petgOnly.p.config, loadedMaterials: [{ type: 'PLA' as const, color: 'black' }] } }, fresh.p]) } };
    const ranked = await collect(rankedCandidates(kept, design, 'PLA', new Set(), 'ord_1.0'));
    expect(ranked.map((c) => c.printer.printerId).sort()).toEqual(['p1', 'p2']);
    expect(exactReads).toBe(1);

    // A kept list with an online printer for the order is enough: the fleet is not read again.
    const enough = { ...kept, printers: { list: async () => [fresh.p] } };
    expect((await rankedCandidates(enough, design, 'PLA', new Set(), 'ord_1.0').next()).value?.printer.printerId).toBe('p2');
    expect(exactReads).toBe(1);
    // Nothing in either: nothing, after one exact read.
    const none = { ...kept, freshPrinters: { list: async () => (exactReads++, [petgOnly.p]) } };
    expect(await collect(rankedCandidates(none, design, 'PLA'))).toEqual([]);
    expect(exactReads).toBe(2);
  });

  it('and so for a quote: the printer just registered is quoted, where the kept list alone had none', async () => {
    const { quoteOrder } = await import('../../../shared/orders/place-order.js');
    const design = await listedDesign([40, 40, 40]);
    const fresh = { p: printer('p2'), rating: 0, status: 'idle', job: false };
    const { deps } = fleet([fresh]);
    const catalogue = {
      ...deps,
      designs: { get: async () => design } as unknown as import('../../../shared/designs/ports.js').DesignStore,
      printers: { list: async () => [], get: async () => undefined } as unknown as import('../../../shared/printers/ports.js').PrinterStore,
      now: () => new Date(at),
    } as unknown as Parameters<typeof quoteOrder>[1];
    const body = { designId: design.designId, material: 'PLA' as const } as Parameters<typeof quoteOrder>[0];
    await expect(quoteOrder(body, catalogue)).rejects.toThrow('No online printer has PLA loaded');
    const quoted = await quoteOrder(body, { ...catalogue, freshPrinters: { list: async () => [fresh.p] } });
    expect(quoted.printerId).toBe('p2');
    expect(quoted.candidates.map((c) => c.printerId)).toEqual(['p2']);
  });

  it('and a quote on a chosen printer reads that printer on its own: one the kept list misses, or has the old terms of', async () => {
    const { quoteOrder } = await import('../../../shared/orders/place-order.js');
    const design = await listedDesign([40, 40, 40]);
    const old = { p: printer('p1'), rating: 4, status: 'idle', job: false };
    const renewed = { ...old.p, terms: { ...old.p.terms, feePerHourCents: 400, version: 2 } };
    const added = { p: printer('p2'), rating: 3, status: 'idle', job: false };
    const { deps } = fleet([old, added]);
    const exact = new Map([renewed, added.p].map((p) => [p.printerId, p]));
    // The kept list has p1 with its first terms, and not p2 at all; it has a printer for the order, so it is not read again.
    const catalogue = {
      ...deps,
      designs: { get: async () => design } as unknown as import('../../../shared/designs/ports.js').DesignStore,
      printers: { list: async () => [old.p], get: async (id: string) => exact.get(id) } as unknown as import('../../../shared/printers/ports.js').PrinterStore,
      freshPrinters: { list: async () => expect.unreachable('the kept list had a printer for the order') },
      now: () => new Date(at),
    } as unknown as Parameters<typeof quoteOrder>[1];
    const body = (printerId: string) => ({ designId: design.designId, material: 'PLA' as const, printerId }) as Parameters<typeof quoteOrder>[0];
    const onAdded = await quoteOrder(body('p2'), catalogue);
    expect(onAdded).toMatchObject({ printerId: 'p2', printerTermsVersion: 1 });
    expect(onAdded.candidates.find((c) => c.printerId === 'p2')).toMatchObject({ rating: 3 });
    expect(onAdded.candidates.map((c) => c.printerId).sort()).toEqual(['p1', 'p2']);
    const onRenewed = await quoteOrder(body('p1'), catalogue);
    expect(onRenewed).toMatchObject({ printerId: 'p1', printerTermsVersion: 2 });
    await expect(quoteOrder(body('p9'), catalogue)).rejects.toThrow('Printer p9 not found');
  });
});

describe('placing an order', () => {
  async function given() {
    const { InMemoryOrderStore } = await import('../../support/fakes/tags.js');
    const { InMemoryDataKeys } = await import('../../support/fakes/designs.js');
    const { placeOrder } = await import('../../../shared/orders/place-order.js');
    let design = await listedDesign([20, 20, 6]);
    const { deps: match } = fleet([{ p: printer('p1'), rating: 4, status: 'idle' }]);
    const started: string[] = [];
    class CountingOrders extends InMemoryOrderStore {
      reads = 0;
      override async get(orderId: string) {
        this.reads++;
        return super.get(orderId);
      }
    }
    const orders = new CountingOrders();
    const deps = {
      ...match,
      designs: { get: async () => design } as unknown as import('../../../shared/designs/ports.js').DesignStore,
      orders,
      workflow: { start: async (orderId: string) => void started.push(orderId) },
      dataKeys: new InMemoryDataKeys(),
      now: () => new Date(at),
    } as unknown as Parameters<typeof placeOrder>[1];
    const body = { clientOrderId: '0b5b3c2e-8f0e-4c1b-9a4e-6d1f2a3b4c5d', customerId: 'carol', designId: 'd1', material: 'PLA' as const, acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa', deliverTo: { name: 'Carol', line1: '1 rue A', city: 'Lyon', postalCode: '69001', country: 'FR' } } as unknown as Parameters<typeof placeOrder>[0];
    return { place: () => placeOrder(body, deps), body, orders, started, setTerms: (version: number) => (design = { ...design, terms: { ...design.terms, version } }), deps, placeOrder };
  }

  it('writes a new order without reading first, and answers a retry with the same order and the workflow started again', async () => {
    const g = await given();
    const first = await g.place();
    expect(first.created).toBe(true);
    expect(g.orders.reads).toBe(0);
    const again = await g.place();
    expect(again).toEqual({ created: false, order: first.order });
    expect(g.started).toEqual([first.order.orderId, first.order.orderId]);
  });

  it('answers a retry with its order even after the terms it accepted changed, while a new order with those terms is refused', async () => {
    const g = await given();
    const first = await g.place();
    g.setTerms(2);
    expect(await g.place()).toEqual({ created: false, order: first.order });
    await expect(g.placeOrder({ ...g.body, clientOrderId: '1c6c4d3f-9a1f-4d2c-8b5f-7e2a3b4c5d6e' }, g.deps)).rejects.toThrow('The license terms changed');
    // The same client order id for another design is not the same order.
    await expect(g.placeOrder({ ...g.body, designId: 'd2' }, g.deps)).rejects.toThrow('was used for another order');
  });

  it('a printer the customer chose is read on its own, so its terms are checked as they are now, not as a kept list has them', async () => {
    const g = await given();
    const listed = printer('p1');
    const current = { ...listed, terms: { ...listed.terms, feePerHourCents: 500, version: 2 } };
    const deps = { ...g.deps, printers: { list: async () => [listed], get: async (id: string) => (id === 'p1' ? current : undefined) } } as unknown as typeof g.deps;
    const chosen = { ...g.body, printerId: 'p1', acceptedPrinterTermsVersion: 1 };
    await expect(g.placeOrder(chosen, deps)).rejects.toThrow("The printer's terms changed");
    const placed = await g.placeOrder({ ...chosen, clientOrderId: '2d7d5e4a-0b2a-4e3d-9c6a-8f3b4c5d6e7f', acceptedPrinterTermsVersion: 2 }, deps);
    expect(await g.orders.get(placed.order.orderId)).toMatchObject({ chosenPrinterId: 'p1', printerTermsVersion: 2 });
    await expect(g.placeOrder({ ...chosen, clientOrderId: '3e8e6f5b-1c3b-4f4e-8d7b-9a4c5d6e7f80', printerId: 'p9' }, deps)).rejects.toThrow('Printer p9 not found');
  });
});
