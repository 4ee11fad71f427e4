// GET /me/designs: a designer's own designs, drafts and rejections included.
import { listMyDesigns } from '../../shared/designs/search-designs.js';
import { httpRoute, userOf } from '../lib/http.js';
import { designStore } from './wiring.js';

const deps = { designs: designStore() };

export const handler = httpRoute({
  run: async ({ caller }) => ({ body: await listMyDesigns({ designerId: userOf(caller).userId }, deps) }),
});
