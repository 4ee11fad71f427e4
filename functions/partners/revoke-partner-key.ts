// DELETE /partners/{partnerId}/keys/{keyId}: an admin revokes a partner's API key; it fails (401) from then on.
import { revokePartnerKey } from '../../shared/partners/api-keys.js';
import { httpRoute } from '../lib/http.js';
import { clock, partnerKeys } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), ...clock };

export const handler = httpRoute({ run: async ({ path }) => ({ body: await revokePartnerKey({ partnerId: path.partnerId!, keyId: path.keyId! }, deps) }) });
