// Carriers' side of an order with fakes: a shipment with a partner carrier asks it for a label (and nothing personal
// travels), the carrier's label becomes the order's tracking number, and the delivery is told to the carrier once.
import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import { Conflict, Forbidden, NotFound } from '../../../shared/errors.js';
import { seal } from '../../../shared/crypto/envelope.js';
import { deliveryAddressContext, type Order } from '../../../shared/orders/order.js';
import type { Printer } from '../../../shared/printers/printer.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import { hashKeySecret } from '../../../shared/partners/api-keys.js';
import { listCarrierShipments, notifyPartners, reportShipmentLabel, type Shipment, type Shipments } from '../../../shared/partners/shipments.js';
import { InMemoryDataKeys } from '../../support/fakes/designs.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import { InMemoryDeliveries, InMemoryEndpoints, InMemoryPartnerKeys, InMemoryPartners, manualClock, RecordingQueue } from '../../support/fakes/partners.js';

/** The order store of the tag tests, whose orders a test reads back. */
const Orders = InMemoryOrderStore;

class ShipmentsFake implements Shipments {
  readonly shipments = new Map<string, Shipment>();
  async create(s: Shipment) {
    if (this.shipments.has(s.orderId)) return false;
    this.shipments.set(s.orderId, structuredClone(s));
    return true;
  }
  async get(id: string) {
    const s = this.shipments.get(id);
    return s && structuredClone(s);
  }
  async save(s: Shipment) {
    this.shipments.set(s.orderId, structuredClone(s));
  }
  async listByCarrier(carrierId: string) {
    return [...this.shipments.values()].filter((s) => s.carrierId === carrierId);
  }
}

const orderId = 'ord_0123456789abcdef01234567';
const productId = 'prd_0123456789abcdef01234567';
const carrierId = 'partner-c1';
const order = {
  orderId,
  customerId: 'customer-secret-id',
  designId: 'd1',
  designerId: 'alice',
  material: 'PLA',
  licenseVersion: 1,
  quote: { currency: 'eur', designPriceCents: 1, printingFeeCents: 1, commissionCents: 1, shippingCents: 1, totalCents: 4, estimate: { printSeconds: 600, grams: 40 } },
  royaltyCents: 1,
  paymentMethod: 'pm_card_visa',
  status: 'shipped',
  attempts: [],
  product: { productId, gcodeSha256: 'x', printerId: 'printer-1', materialLot: 'lot', printParamsHash: 'y' },
  shipment: { carrierId, trackingNumber: 'DPM0001' },
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  revision: 3,
} as unknown as Order;

const shipped: LedgerEvent = { type: 'product.shipped', version: 1, eventId: `product.shipped:${productId}`, occurredAt: '2026-12-02T08:00:00Z', assetKey: productId, productId, carrierId, trackingHash: 'a'.repeat(64) };
const delivered: LedgerEvent = { type: 'product.delivered', version: 1, eventId: `product.delivered:${productId}`, occurredAt: '2026-12-03T08:00:00Z', assetKey: productId, productId, customerId: 'customer-secret-id', confirmedBy: 'carrier' };

const address = { name: 'Carla Customer', line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' };

async function given() {
  const dataKeys = new InMemoryDataKeys();
  const sealedAddress = Buffer.from(await seal(new TextEncoder().encode(JSON.stringify(address)), dataKeys, deliveryAddressContext(orderId))).toString('base64');
  const partners = new InMemoryPartners();
  await partners.create({ partnerId: carrierId, name: 'Rapid Parcel', kind: 'carrier', sealedWebhookSecret: '', createdAt: '2026-12-01T00:00:00Z' });
  const orders = new Orders();
  await orders.create({ ...order, deliverTo: { sealed: sealedAddress } });
  const printers = { get: async () => ({ config: { region: 'Lyon' } }) as unknown as Printer } as unknown as PrinterStore;
  const endpoints = new InMemoryEndpoints();
  await endpoints.create({ endpointId: 'ep_1', partnerId: carrierId, url: 'https://c.example/', eventTypes: ['shipment.label_requested', 'order.delivered'], sealedSecret: '', state: 'enabled', createdAt: '', updatedAt: '' });
  const partnerKeys = new InMemoryPartnerKeys();
  const key = (id: string, partnerId: string, scopes: ('shipments:read' | 'shipments:write')[]) => {
    void partnerKeys.create({ keyId: id, partnerId, label: 'k', scopes, secretHash: hashKeySecret(id, 'z'.repeat(43)), createdAt: '' });
    return `dpmk.${id}.${'z'.repeat(43)}`;
  };
  return {
    deps: { orders, printers, partners, shipments: new ShipmentsFake(), endpoints, deliveries: new InMemoryDeliveries(), queue: new RecordingQueue(), partnerKeys, dataKeys, ...manualClock() },
    carrierKey: key('00000000000000c1', carrierId, ['shipments:read', 'shipments:write']),
    readOnlyKey: key('00000000000000c2', carrierId, ['shipments:read']),
    otherKey: key('00000000000000c3', 'partner-c2', ['shipments:read', 'shipments:write']),
  };
}

describe('a shipment with a partner carrier', () => {
  it('asks the carrier for a label once, with parcel and pickup data and nothing about the customer', async () => {
    const { deps, carrierKey } = await given();
    const { published } = await notifyPartners(shipped, deps);
    expect(published).toHaveLength(1);
    // The same event again (an EventBridge retry): the same delivery, woken again while it is pending, not a second one.
    expect((await notifyPartners(shipped, deps)).published).toEqual(published);
    expect(deps.deliveries.deliveries.size).toBe(1);
    const body = [...deps.deliveries.deliveries.values()][0]!.body;
    expect(JSON.parse(body)).toEqual({
      type: 'shipment.label_requested',
      timestamp: '2026-12-02T08:00:00Z',
      data: { orderId, reference: orderId, productId, parcel: { weightGrams: 190, material: 'PLA', contents: '3D-printed object' }, pickup: { printerId: 'printer-1', region: 'Lyon' } },
    });
    expect(body).not.toContain('customer-secret-id');
    // The address is not in the webhook (its payload is kept for retries and replays) nor in clear in the shipment: the
    // carrier reads it, opened, in its own shipment list.
    expect(body).not.toContain('Lilas');
    expect(JSON.stringify(await deps.shipments.get(orderId))).not.toContain('Lilas');
    expect(await listCarrierShipments({ apiKey: carrierKey, limit: 10 }, deps)).toEqual([expect.objectContaining({ orderId, state: 'label_requested', trackingNumber: null, deliverTo: address })]);
  });

  it('takes the carrier’s label as the order’s tracking number; another carrier gets 404, a read-only key 403', async () => {
    const { deps, carrierKey, readOnlyKey, otherKey } = await given();
    await notifyPartners(shipped, deps);
    await expect(reportShipmentLabel({ apiKey: readOnlyKey, orderId, trackingNumber: 'RP123456' }, deps)).rejects.toBeInstanceOf(Forbidden);
    await expect(reportShipmentLabel({ apiKey: otherKey, orderId, trackingNumber: 'RP123456' }, deps)).rejects.toBeInstanceOf(NotFound);
    expect(await reportShipmentLabel({ apiKey: carrierKey, orderId, trackingNumber: 'RP123456' }, deps)).toMatchObject({ state: 'label_created', trackingNumber: 'RP123456' });
    expect((await deps.orders.get(orderId))!.shipment).toEqual({ carrierId, trackingNumber: 'RP123456' });
  });

  it('tells the carrier of the delivery in one delivery; a label after delivery is refused', async () => {
    const { deps, carrierKey } = await given();
    await notifyPartners(shipped, deps);
    const { published } = await notifyPartners(delivered, deps);
    expect(published).toHaveLength(1);
    expect((await notifyPartners(delivered, deps)).published).toEqual(published);
    expect(deps.deliveries.deliveries.size).toBe(2);
    const sent = [...deps.deliveries.deliveries.values()].find((d) => d.eventType === 'order.delivered')!;
    expect(JSON.parse(sent.body).data).toEqual({ orderId, productId, deliveredAt: '2026-12-03T08:00:00Z', confirmedBy: 'carrier', trackingNumber: null });
    // Delivered: the shipment's copy of the address is gone, and the carrier's list shows none.
    expect((await deps.shipments.get(orderId))!.deliverTo).toBeUndefined();
    expect(await listCarrierShipments({ apiKey: carrierKey, limit: 10 }, deps)).toEqual([expect.objectContaining({ orderId, state: 'delivered', deliverTo: null })]);
    await deps.orders.save({ ...(await deps.orders.get(orderId))!, status: 'completed', revision: 4 }, 3);
    await expect(reportShipmentLabel({ apiKey: carrierKey, orderId, trackingNumber: 'RP999999' }, deps)).rejects.toBeInstanceOf(Conflict);
  });

  it('takes a delivery event naming its carrier (v2) as v1, and for the platform’s own carrier reads no shipment', async () => {
    const { deps } = await given();
    await notifyPartners(shipped, deps);
    const { published } = await notifyPartners({ ...delivered, version: 2, carrierId }, deps);
    expect(published).toHaveLength(1);
    expect((await notifyPartners(delivered, deps)).published).toEqual(published);
    expect((await deps.shipments.get(orderId))!.state).toBe('delivered');

    // The same product shipped by the platform's own carrier instead (it has no shipment on record).
    const own = await given();
    let shipmentReads = 0;
    const counted = { ...own.deps, shipments: Object.assign(Object.create(own.deps.shipments) as typeof own.deps.shipments, { get: async (id: string) => (shipmentReads++, own.deps.shipments.get(id)) }) };
    expect((await notifyPartners({ ...delivered, version: 2, carrierId: 'dpm-post' }, counted)).published).toEqual([]);
    expect(shipmentReads).toBe(0);
    // A v1 event does not say, so the shipment is looked for.
    expect((await notifyPartners(delivered, counted)).published).toEqual([]);
    expect(shipmentReads).toBe(1);
  });

  it('leaves the platform’s own carrier alone', async () => {
    const { deps } = await given();
    let partnerReads = 0;
    const counted = { ...deps, partners: Object.assign(Object.create(deps.partners) as typeof deps.partners, { get: async (id: string) => (partnerReads++, deps.partners.get(id)) }) };
    expect((await notifyPartners({ ...shipped, carrierId: 'dpm-post' }, counted)).published).toEqual([]);
    expect(deps.shipments.shipments.size).toBe(0);
    // Known without asking the partner store.
    expect(partnerReads).toBe(0);
  });
});
