// GET /designs?q=&material=&maxPriceCents=&maxSizeMm=&limit=&cursor=: the public catalogue search.
import { searchDesigns } from '../../shared/designs/search-designs.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { designStore } from './wiring.js';

const deps = { designs: designStore() };


export const handler = httpRoute({
  query: routeSchemas['GET /designs'].query,
  run: async ({ query }) => ({ body: await searchDesigns({ ...query, text: query.q }, deps) }),
});
