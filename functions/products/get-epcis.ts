// GET /products/{productId}/epcis: the product's memory as GS1 EPCIS 2.0 events (JSON-LD): a TransformationEvent for
// design and material into the part, an AssociationEvent for tag and serial, ObjectEvents for shipping and receiving.
// Public, like the memory itself: only ids, hashes and public keys.
import { exportProduct } from '../../shared/tags/exports.js';
import { httpRoute } from '../lib/http.js';
import { exportDeps } from './wiring.js';

export const handler = httpRoute({
  run: async ({ path }) => ({ body: await exportProduct({ productId: path.productId!, format: 'epcis' }, exportDeps), headers: { 'content-type': 'application/ld+json' } }),
});
