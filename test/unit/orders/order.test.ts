// The pure rules of an order: the itemized quote, which printers can take a job and in which order, the GTIN check
// digit on tags, and who may read an order.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Design } from '../../../shared/designs/design.js';
import { checkPrintability } from '../../../shared/designs/printability.js';
import { assertMayView, commissionBps, expectedDelivery, matchPrinters, quoteOption, shippingDays, orderIdFor, orderIdOfJob, jobIdFor, quote, reached, shippingCents, unsuitability, type Candidate, type Order } from '../../../shared/orders/order.js';
import { gtinCheckDigit, sliceSettingsFor } from '../../../shared/orders/order-steps.js';
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
