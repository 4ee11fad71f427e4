// GET /partner/webhook-deliveries: the caller's deliveries with every attempt, newest first (webhooks:manage).
import { listWebhookDeliveries } from '../../shared/partners/outbound-webhooks.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { partnerKeys, webhookDeliveries } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), deliveries: webhookDeliveries() };

export const handler = httpRoute({
  query: routeSchemas['GET /partner/webhook-deliveries'].query,
  run: async ({ headers, query }) => ({ body: await listWebhookDeliveries({ ...query, apiKey: bearerOf(headers) }, deps) }),
});
