// POST /partner/webhook-deliveries/{deliveryId}/replay: runs a delivery through the retry schedule again, with the
// same webhook-id (webhooks:manage).
import { replayWebhookDelivery } from '../../shared/partners/outbound-webhooks.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { clock, deliveryQueue, partnerKeys, webhookDeliveries, webhookEndpoints } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), deliveries: webhookDeliveries(), endpoints: webhookEndpoints(), queue: deliveryQueue(), ...clock };

export const handler = httpRoute({ run: async ({ headers, path }) => ({ status: 202, body: await replayWebhookDelivery({ apiKey: bearerOf(headers), deliveryId: path.deliveryId! }, deps) }) });
