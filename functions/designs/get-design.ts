// GET /designs/{designId}: the public page of a listed (or withdrawn) design.
import { getDesign } from '../../shared/designs/search-designs.js';
import { httpRoute } from '../lib/http.js';
import { designStore } from './wiring.js';

const deps = { designs: designStore() };

export const handler = httpRoute({
  run: async ({ path }) => ({ body: await getDesign({ designId: path.designId! }, deps) }),
});
