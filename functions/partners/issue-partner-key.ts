// POST /partners/{partnerId}/keys: an admin issues a scoped API key for a partner; the key is shown this once.
import { issuePartnerKey } from '../../shared/partners/api-keys.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { clock, partnerKeys, partnerStore } from './wiring.js';

const deps = { partners: partnerStore(), partnerKeys: partnerKeys(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /partners/{partnerId}/keys'].body,
  run: async ({ body, path }) => ({ status: 201, body: await issuePartnerKey({ ...body, partnerId: path.partnerId! }, deps) }),
});
