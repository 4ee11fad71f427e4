// PUT /designs/{designId}/terms: the designer publishes a new version of the license terms.
import { updateDesignTerms } from '../../shared/designs/manage-design.js';
import { ownerView } from '../../shared/designs/design.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, designStore } from './wiring.js';

const deps = { designs: designStore(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['PUT /designs/{designId}/terms'].body,
  run: async ({ caller, body, path }) => ({
    body: ownerView(await updateDesignTerms({ designerId: userOf(caller).userId, designId: path.designId!, terms: body }, deps)),
  }),
});
