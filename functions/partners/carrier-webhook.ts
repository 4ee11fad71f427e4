// POST /webhooks/carriers/{partnerId}: a carrier's signed status updates (Standard Webhooks). `delivered` confirms the
// delivery of the order it references, which releases its escrow. A replayed or retried webhook changes nothing.
import { confirmDelivery } from '../../shared/orders/place-order.js';
import { assertCarrier, parseCarrierStatus, verifyWebhook } from '../../shared/partners/partners.js';
import { httpRoute } from '../lib/http.js';
import { orderStore, taskCallbacks } from '../orders/wiring.js';
import { partnerDataKeys, partnerStore } from './wiring.js';

const deps = { partners: partnerStore(), dataKeys: partnerDataKeys(), orders: orderStore(), callbacks: taskCallbacks(), now: () => new Date() };

export const handler = httpRoute({
  run: async ({ path, headers, rawBody }) => {
    const { partner, webhookId } = await verifyWebhook({ partnerId: path.partnerId!, headers, rawBody }, deps);
    assertCarrier(partner);
    const update = parseCarrierStatus(rawBody);
    if (update.status === 'delivered') await confirmDelivery({ orderId: update.reference, by: { kind: 'carrier', carrierId: partner.partnerId, trackingNumber: update.trackingNumber } }, deps);
    // Handled (idempotently) before it is marked, so a failure leaves the webhook to be retried.
    const first = await deps.partners.firstDelivery(partner.partnerId, webhookId, Math.floor(deps.now().getTime() / 1000) + 7 * 86_400);
    return { body: { received: true, duplicate: !first } };
  },
});
