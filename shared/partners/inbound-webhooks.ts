// Partners' inbound webhooks, each taken in by receiveWebhook (signature, partner kind, idempotency on webhook-id):
// carriers' status updates, whose `delivered` confirms the order's delivery, and suppliers' material certificates.
// A supplier may also post certificates with its API key; both paths record the same way.
import { z } from 'zod';
import { confirmDelivery } from '../orders/place-order.js';
import type { LedgerEvents, OrderStore, TaskCallbacks } from '../orders/ports.js';
import { authorizePartner, type PartnerKeys } from './api-keys.js';
import { MaterialCertificateInput, recordMaterialCertificate, type MaterialCertificates } from './material-certificates.js';
import { receiveWebhook, type InboundWebhookDeps } from './partners.js';

export const CarrierStatus = z.strictObject({
  /** Our order id, passed to the carrier as the shipment's reference. */
  reference: z.string().regex(/^ord_[0-9a-f]{24}$/),
  trackingNumber: z.string().min(1).max(64),
  status: z.enum(['in_transit', 'delivered', 'exception']),
  at: z.iso.datetime({ offset: true }),
});

type Inbound = { partnerId: string; headers: Record<string, string>; rawBody: string };

/** A carrier's status update; `delivered` confirms the delivery of the order it references (idempotently). */
export function receiveCarrierStatus(input: Inbound, deps: InboundWebhookDeps & { orders: OrderStore; callbacks: TaskCallbacks }) {
  return receiveWebhook({ ...input, kind: 'carrier' }, { schema: CarrierStatus, what: 'carrier status' }, async (update, partner) => {
    if (update.status === 'delivered') await confirmDelivery({ orderId: update.reference, by: { kind: 'carrier', carrierId: partner.partnerId, trackingNumber: update.trackingNumber } }, deps);
  }, deps);
}

/** A supplier's certificate for a lot of material, signed with its webhook secret. */
export function receiveSupplierCertificate(input: Inbound, deps: InboundWebhookDeps & { certificates: MaterialCertificates; events: LedgerEvents }) {
  return receiveWebhook({ ...input, kind: 'supplier' }, { schema: MaterialCertificateInput, what: 'material certificate' }, async (certificate, partner) => {
    await recordMaterialCertificate({ ...certificate, issuerPartnerId: partner.partnerId, via: 'webhook' }, deps);
  }, deps);
}

/** The same certificate through the supplier's API key (materials:write). */
export async function postMaterialCertificate(input: MaterialCertificateInput & { apiKey: string | undefined }, deps: { partnerKeys: PartnerKeys; certificates: MaterialCertificates; events: LedgerEvents; now: () => Date }) {
  const caller = await authorizePartner(input.apiKey, 'materials:write', deps);
  const { apiKey: _key, ...certificate } = input;
  const { certificate: recorded, created } = await recordMaterialCertificate({ ...certificate, issuerPartnerId: caller.partnerId, via: 'api' }, deps);
  return { created, certificate: recorded };
}
