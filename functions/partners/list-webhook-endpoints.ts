// GET /partner/webhook-endpoints: the caller's endpoints, enabled or disabled (API key with webhooks:manage).
import { listWebhookEndpoints } from '../../shared/partners/outbound-webhooks.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { partnerKeys, webhookEndpoints } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), endpoints: webhookEndpoints() };

export const handler = httpRoute({ run: async ({ headers }) => ({ body: await listWebhookEndpoints({ apiKey: bearerOf(headers) }, deps) }) });
