// GET /products/{productId}/passport: a digital product passport built from the product's verified ledger memory.
// Public, like the memory itself: only ids, hashes and public keys.
import { exportProduct } from '../../shared/tags/exports.js';
import { httpRoute } from '../lib/http.js';
import { exportDeps } from './wiring.js';

export const handler = httpRoute({
  run: async ({ path }) => ({ body: await exportProduct({ productId: path.productId!, format: 'passport' }, exportDeps), headers: { 'content-type': 'application/json' } }),
});
