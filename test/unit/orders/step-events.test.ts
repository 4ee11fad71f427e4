// A retried tag or ship step publishes the very same ledger events as its first run, whatever the time of the retry:
// the events carry the time the tag was made and the product handed over, as the order recorded them.
import { describe, expect, it } from 'vitest';
import { shipProduct, tagProduct, type TagDeps } from '../../../shared/orders/order-steps.js';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import type { Printer } from '../../../shared/printers/printer.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import { generateDeviceKeys, publicKeys } from '../../../shared/printing/device-keys.js';
import { InMemoryDataKeys } from '../../support/fakes/designs.js';
import { FakePlatformSigner } from '../../support/fakes/ledger.js';
import { InMemoryNotifications, anOrder } from '../../support/fakes/orders.js';
import { InMemoryOrderStore, InMemoryTagStore } from '../../support/fakes/tags.js';

const orderId = `ord_${'c'.repeat(24)}`;
const jobId = `${orderId}.0`;

function given() {
  let now = Date.parse('2026-12-02T10:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const later = (ms: number) => (now += ms);
  const orders = new InMemoryOrderStore();
  void orders.create(
    anOrder({ orderId, status: 'printing', attempts: [{ printerId: 'p1', jobId, offeredAt: new Date(now).toISOString(), outcome: 'completed' }], printResult: { jobId, outcome: 'completed' } } as never),
  );
  const printer = {
    printerId: 'p1',
    operatorId: 'op',
    config: { name: 'p1', region: 'Lyon', profile: {}, loadedMaterials: [{ type: 'PLA', color: 'black' }], version: 1 },
    deviceKeys: publicKeys(generateDeviceKeys()),
  } as unknown as Printer;
  const published: LedgerEvent[] = [];
  const deps: TagDeps = {
    orders,
    certificates: { listByLot: async () => [] },
    events: { publish: async (...e) => void published.push(...structuredClone(e)) },
    signer: new FakePlatformSigner(),
    dataKeys: new InMemoryDataKeys(),
    tags: new InMemoryTagStore(),
    printers: { get: async (id: string) => (id === 'p1' ? printer : undefined) } as unknown as PrinterStore,
    messages: { publish: async () => undefined },
    tagBaseUrl: 'https://verify.example',
    gtinBase: '0123456789012',
    ...clock,
  };
  const shipDeps = { ...clock, orders, events: deps.events, notifications: new InMemoryNotifications(), carrierId: async () => 'dpm-post', newTrackingNumber: () => `TRK${now}` };
  return { deps, shipDeps, published, later, orders };
}

describe('ledger events of retried steps', () => {
  it('tag: the retry publishes the same product.printed and product.tagged, stamped with the time the tag was made', async () => {
    const { deps, published, later } = given();
    await tagProduct({ orderId }, deps);
    const first = published.splice(0);
    expect(first.map((e) => e.type)).toEqual(['product.printed', 'product.tagged']);
    expect(first.every((e) => e.occurredAt === '2026-12-02T10:00:00.000Z')).toBe(true);
    later(90_000);
    await tagProduct({ orderId }, deps);
    expect(published).toEqual(first);
  });

  it('ship: the retry publishes the same product.shipped, stamped with the time it was handed over', async () => {
    const { deps, shipDeps, published, later, orders } = given();
    await tagProduct({ orderId }, deps);
    later(5_000);
    await shipProduct({ orderId }, shipDeps);
    const first = published.splice(0).filter((e) => e.type === 'product.shipped');
    expect(first).toHaveLength(1);
    expect(first[0]!.occurredAt).toBe('2026-12-02T10:00:05.000Z');
    expect((await orders.get(orderId))!.shipment!.at).toBe('2026-12-02T10:00:05.000Z');
    later(60_000);
    await shipProduct({ orderId }, shipDeps);
    expect(published).toEqual(first);
  });

  it('an order tagged and shipped before the time was kept still publishes, with the time of the run', async () => {
    const { deps, shipDeps, published, orders } = given();
    await tagProduct({ orderId }, deps);
    const o = (await orders.get(orderId))!;
    const { at: _at, ...oldTag } = o.tag!;
    await orders.saveOrCurrent({ ...o, tag: oldTag, shipment: { carrierId: 'dpm-post', trackingNumber: 'TRK0' }, status: 'shipped' }, o.revision);
    published.splice(0);
    await tagProduct({ orderId }, deps);
    await shipProduct({ orderId }, shipDeps);
    expect(published.map((e) => e.type)).toEqual(['product.printed', 'product.tagged', 'product.shipped']);
    expect(published.every((e) => e.occurredAt === '2026-12-02T10:00:00.000Z')).toBe(true);
  });
});
