// POST /partners: an admin registers a carrier, supplier or shop; its webhook secret is shown this once.
import { registerPartner } from '../../shared/partners/partners.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { clock, partnerDataKeys, partnerIds, partnerStore } from './wiring.js';

const deps = { partners: partnerStore(), dataKeys: partnerDataKeys(), ...partnerIds, ...clock };

export const handler = httpRoute({ body: routeSchemas['POST /partners'].body, run: async ({ body }) => ({ status: 201, body: await registerPartner(body, deps) }) });
