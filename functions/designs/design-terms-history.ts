// GET /designs/{designId}/terms: every version of the design's license terms, oldest first.
import { designTermsHistory } from '../../shared/designs/manage-design.js';
import { httpRoute } from '../lib/http.js';
import { designStore } from './wiring.js';

const deps = { designs: designStore() };

export const handler = httpRoute({
  run: async ({ path }) => ({ body: await designTermsHistory({ designId: path.designId! }, deps) }),
});
