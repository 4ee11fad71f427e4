// GET /designs?q=&material=&maxPriceCents=&maxSizeMm=&limit=&cursor=: the public catalogue search.
import { z } from 'zod';
import { materials } from '../../shared/designs/design.js';
import { searchDesigns } from '../../shared/designs/search-designs.js';
import { httpRoute } from '../lib/http.js';
import { designStore } from './wiring.js';

const deps = { designs: designStore() };

const Query = z.strictObject({
  q: z.string().max(200).optional(),
  material: z.enum(materials).optional(),
  maxPriceCents: z.coerce.number().int().min(0).optional(),
  maxSizeMm: z.coerce.number().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const handler = httpRoute({
  query: Query,
  run: async ({ query }) => ({ body: await searchDesigns({ ...query, text: query.q }, deps) }),
});
