// GET /partners/{partnerId}/keys: a partner's API keys as an admin sees them: id, label, scopes, revocation, no secret.
import { listPartnerKeys } from '../../shared/partners/api-keys.js';
import { httpRoute } from '../lib/http.js';
import { partnerKeys, partnerStore } from './wiring.js';

const deps = { partners: partnerStore(), partnerKeys: partnerKeys() };

export const handler = httpRoute({ run: async ({ path }) => ({ body: await listPartnerKeys({ partnerId: path.partnerId! }, deps) }) });
