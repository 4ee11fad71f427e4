// POST /partner/webhook-endpoints/{endpointId}/enable: turns a disabled endpoint (a 410 Gone) back on (webhooks:manage).
import { enableWebhookEndpoint } from '../../shared/partners/outbound-webhooks.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { clock, partnerKeys, webhookEndpoints } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), endpoints: webhookEndpoints(), ...clock };

export const handler = httpRoute({ run: async ({ headers, path }) => ({ body: await enableWebhookEndpoint({ apiKey: bearerOf(headers), endpointId: path.endpointId! }, deps) }) });
