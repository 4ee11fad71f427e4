// POST /partner/webhook-endpoints: a partner subscribes a URL to event types (API key with webhooks:manage); the
// endpoint's signing secret is shown this once.
import { createWebhookEndpoint } from '../../shared/partners/outbound-webhooks.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { clock, partnerDataKeys, partnerKeys, webhookEndpoints } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), endpoints: webhookEndpoints(), dataKeys: partnerDataKeys(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /partner/webhook-endpoints'].body,
  run: async ({ headers, body }) => ({ status: 201, body: await createWebhookEndpoint({ ...body, apiKey: bearerOf(headers) }, deps) }),
});
