// GET /partner/shipments: a carrier's shipments, newest first (API key with shipments:read).
import { listCarrierShipments } from '../../shared/partners/shipments.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { bearerOf, httpRoute } from '../lib/http.js';
import { partnerDataKeys, partnerKeys, shipments } from './wiring.js';

const deps = { partnerKeys: partnerKeys(), shipments: shipments(), dataKeys: partnerDataKeys() };

export const handler = httpRoute({
  query: routeSchemas['GET /partner/shipments'].query,
  run: async ({ headers, query }) => ({ body: await listCarrierShipments({ apiKey: bearerOf(headers), limit: query.limit }, deps) }),
});
