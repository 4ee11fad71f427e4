// Shipments as carriers see them. When an order ships with a partner carrier, the carrier is asked for a label
// (`shipment.label_requested` webhook) and finds the shipment in its list; it answers with its tracking number (and
// label), which becomes the order's. When the order is delivered, the carrier hears `order.delivered`.
//
// What a carrier gets, and why: the order id (its reference on every status webhook), the product id, the parcel's
// estimated weight and material, where to collect it (the printer's id and its region, a city, never an address), and
// where to deliver it: the recipient's name and postal address, which the customer gave for this order. Nothing else
// about the customer: no e-mail or account id. The address stays sealed at rest (in the order and in the shipment) and
// is opened only in the carrier's own shipment list, read with its key; it is not in the webhook, whose payload is
// kept for retries and replays.
import { z } from 'zod';
import type { LedgerEvent } from '../../events/ledger-events.js';
import { NotFound } from '../errors.js';
import { open, type DataKeys } from '../crypto/envelope.js';
import { deliveryAddressContext, orderIdOfProduct, type DeliveryAddress } from '../orders/order.js';
import { recordCarrierLabel } from '../orders/order-steps.js';
import type { OrderStore } from '../orders/ports.js';
import type { PrinterStore } from '../printers/ports.js';
import { authorizePartner, type PartnerKeys } from './api-keys.js';
import { publishPartnerEvent, type DeliveryQueue, type WebhookDeliveries, type WebhookEndpoints } from './outbound-webhooks.js';
import type { PartnerStore } from './partners.js';

export interface Shipment {
  orderId: string;
  carrierId: string;
  productId: string;
  state: 'label_requested' | 'label_created' | 'delivered';
  parcel: { weightGrams: number; material: string; contents: string };
  pickup: { printerId: string; region: string };
  /** The order's delivery address, sealed as the order holds it (to the order's id). */
  deliverTo?: { sealed: string };
  trackingNumber?: string;
  labelUrl?: string;
  requestedAt: string;
  updatedAt: string;
}

export interface Shipments {
  /** False if the order's shipment exists already. */
  create(s: Shipment): Promise<boolean>;
  get(orderId: string): Promise<Shipment | undefined>;
  save(s: Shipment): Promise<void>;
  /** A carrier's shipments, newest first. */
  listByCarrier(carrierId: string, limit: number): Promise<Shipment[]>;
}

export const ReportLabelInput = z.strictObject({
  trackingNumber: z.string().trim().min(4).max(64).regex(/^[A-Za-z0-9-]+$/, 'letters, digits and -'),
  labelUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
});
export type ReportLabelInput = z.infer<typeof ReportLabelInput>;

export const ListShipmentsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50) });

/** Grams of packaging added to the printed part's estimate. */
const packagingGrams = 150;

export const shipmentView = (s: Shipment) => ({
  orderId: s.orderId,
  productId: s.productId,
  state: s.state,
  parcel: s.parcel,
  pickup: s.pickup,
  trackingNumber: s.trackingNumber ?? null,
  labelUrl: s.labelUrl ?? null,
  requestedAt: s.requestedAt,
  updatedAt: s.updatedAt,
});

const labelRequest = (s: Shipment) => ({ orderId: s.orderId, reference: s.orderId, productId: s.productId, parcel: s.parcel, pickup: s.pickup });

/** The platform's own carrier, when no carrier partner is registered. Never a partner's id (those are `partner-…`). */
export const platformCarrierId = 'dpm-post';

export interface PartnerEventDeps {
  orders: OrderStore;
  printers: PrinterStore;
  partners: PartnerStore;
  shipments: Shipments;
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  queue: DeliveryQueue;
  now: () => Date;
}

/**
 * From the platform's domain events to partners: a shipment handed to a partner carrier asks it for a label; a
 * delivery tells the carrier. Events about the platform's own carrier (`dpm-post`) or other types pass by. Safe to run
 * twice for the same event: the shipment is made once and deliveries are named after the event.
 */
export async function notifyPartners(event: LedgerEvent, deps: PartnerEventDeps): Promise<{ published: string[] }> {
  switch (event.type) {
    case 'product.shipped': {
      if (event.carrierId === platformCarrierId) return { published: [] };
      const partner = await deps.partners.get(event.carrierId);
      if (partner?.kind !== 'carrier') return { published: [] };
      const orderId = orderIdOfProduct(event.productId);
      const order = orderId ? await deps.orders.get(orderId) : undefined;
      if (!order?.product) throw new NotFound(`No order for product ${event.productId}`);
      const printer = await deps.printers.get(order.product.printerId);
      const shipment: Shipment = {
        orderId: order.orderId,
        carrierId: partner.partnerId,
        productId: event.productId,
        state: 'label_requested',
        parcel: { weightGrams: order.quote.estimate.grams + packagingGrams, material: order.material, contents: '3D-printed object' },
        pickup: { printerId: order.product.printerId, region: printer?.config.region ?? 'unknown' },
        ...(order.deliverTo ? { deliverTo: order.deliverTo } : {}),
        requestedAt: event.occurredAt,
        updatedAt: deps.now().toISOString(),
      };
      await deps.shipments.create(shipment);
      const stored = (await deps.shipments.get(order.orderId)) ?? shipment;
      const out = await publishPartnerEvent({ eventId: `shipment.label_requested:${order.orderId}`, type: 'shipment.label_requested', partnerId: partner.partnerId, occurredAt: event.occurredAt, data: labelRequest(stored) }, deps);
      return { published: out.deliveryIds };
    }
    case 'product.delivered': {
      // Only a partner carrier's shipment is on record: a v2 event names its carrier, so the platform's own needs no read.
      if (event.version === 2 && event.carrierId === platformCarrierId) return { published: [] };
      const orderId = orderIdOfProduct(event.productId);
      const shipment = orderId ? await deps.shipments.get(orderId) : undefined;
      if (!shipment) return { published: [] };
      if (shipment.state !== 'delivered' || shipment.deliverTo) {
        // Delivered: the carrier has no more use for the address, so its copy goes (as the order's own does).
        const { deliverTo: _gone, ...rest } = shipment;
        await deps.shipments.save({ ...rest, state: 'delivered', updatedAt: deps.now().toISOString() });
      }
      const data = { orderId: shipment.orderId, productId: shipment.productId, deliveredAt: event.occurredAt, confirmedBy: event.confirmedBy, trackingNumber: shipment.trackingNumber ?? null };
      const out = await publishPartnerEvent({ eventId: `order.delivered:${shipment.orderId}`, type: 'order.delivered', partnerId: shipment.carrierId, occurredAt: event.occurredAt, data }, deps);
      return { published: out.deliveryIds };
    }
    default:
      return { published: [] };
  }
}

// ---- The carrier's API (its key with shipments:read / shipments:write) ----

export async function listCarrierShipments(input: { apiKey: string | undefined; limit: number }, deps: { partnerKeys: PartnerKeys; shipments: Shipments; dataKeys: DataKeys }) {
  const caller = await authorizePartner(input.apiKey, 'shipments:read', deps);
  const list = await deps.shipments.listByCarrier(caller.partnerId, input.limit);
  // The address of a shipment still to deliver, for its label; a delivered one's is not needed any more.
  return Promise.all(list.map(async (s) => ({ ...shipmentView(s), deliverTo: s.deliverTo && s.state !== 'delivered' ? await openAddress(s, deps.dataKeys) : null })));
}

async function openAddress(s: Shipment, keys: DataKeys): Promise<DeliveryAddress> {
  const plain = await open(Buffer.from(s.deliverTo!.sealed, 'base64'), keys, deliveryAddressContext(s.orderId));
  return JSON.parse(new TextDecoder().decode(plain)) as DeliveryAddress;
}

/** The carrier's label for a shipment it was asked to carry; another carrier's shipment is a 404. */
export async function reportShipmentLabel(input: ReportLabelInput & { apiKey: string | undefined; orderId: string }, deps: { partnerKeys: PartnerKeys; shipments: Shipments; orders: OrderStore; now: () => Date }) {
  const caller = await authorizePartner(input.apiKey, 'shipments:write', deps);
  const shipment = await deps.shipments.get(input.orderId);
  if (!shipment || shipment.carrierId !== caller.partnerId) throw new NotFound(`Shipment ${input.orderId} not found`);
  // The order first: if it refuses (delivered already), the shipment keeps what the customer was shown.
  await recordCarrierLabel({ orderId: shipment.orderId, carrierId: caller.partnerId, trackingNumber: input.trackingNumber }, deps);
  const labelled: Shipment = {
    ...shipment,
    state: shipment.state === 'delivered' ? 'delivered' : 'label_created',
    trackingNumber: input.trackingNumber,
    ...(input.labelUrl ? { labelUrl: input.labelUrl } : {}),
    updatedAt: deps.now().toISOString(),
  };
  await deps.shipments.save(labelled);
  return shipmentView(labelled);
}
