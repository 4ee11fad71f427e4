// DELETE /partner/webhook-endpoints/{endpointId}: unsubscribes an endpoint (API key with webhooks:manage).
import { deleteWebhookEndpoint } from '../../shared/partners/outbound-webhooks.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { partnerKeys, webhookEndpoints } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), endpoints: webhookEndpoints() };

export const handler = httpRoute({
  run: async ({ headers, path }) => {
    await deleteWebhookEndpoint({ apiKey: bearerOf(headers), endpointId: path.endpointId! }, deps);
    return {};
  },
});
