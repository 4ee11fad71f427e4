// POST /designs: a designer starts a design and gets a presigned URL to upload its STL.
import { createDesign } from '../../shared/designs/create-design.js';
import { ownerView } from '../../shared/designs/design.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, designFiles, designStore, ids } from './wiring.js';

const deps = { designs: designStore(), uploads: designFiles(), ...clock, ...ids };

export const handler = httpRoute({
  body: routeSchemas['POST /designs'].body,
  run: async ({ caller, body }) => {
    const { design, upload } = await createDesign({ designerId: userOf(caller).userId, draft: body }, deps);
    return { status: 201, body: { design: ownerView(design), upload } };
  },
});
