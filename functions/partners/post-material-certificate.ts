// POST /partner/material-certificates: a supplier's certificate for a lot of material (API key with materials:write),
// idempotent on the supplier's certificate id.
import { postMaterialCertificate } from '../../shared/partners/inbound-webhooks.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { certificates, clock, ledgerEvents, partnerKeys } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), certificates: certificates(), events: ledgerEvents(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /partner/material-certificates'].body,
  run: async ({ headers, body }) => {
    const out = await postMaterialCertificate({ ...body, apiKey: bearerOf(headers) }, deps);
    return { status: out.created ? 201 : 200, body: out };
  },
});
