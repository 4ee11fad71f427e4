// POST /designs/{designId}/ingest: after the browser's upload, the STL is checked, sealed and the design registered.
import { ownerView } from '../../shared/designs/design.js';
import { ingestDesign } from '../../shared/designs/ingest-design.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, designDataKeys, designEvents, designFiles, designPreviews, designStore } from './wiring.js';

const files = designFiles();
const deps = { designs: designStore(), uploads: files, sealedFiles: files, previews: designPreviews(), dataKeys: designDataKeys(), events: designEvents(), ...clock };

export const handler = httpRoute({
  run: async ({ caller, path }) => ({ body: ownerView(await ingestDesign({ designerId: userOf(caller).userId, designId: path.designId! }, deps)) }),
});
