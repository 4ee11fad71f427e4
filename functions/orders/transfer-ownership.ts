// POST /products/{productId}/transfer: the owner passes a delivered product on (a resale); the ledger records it.
import { transferOwnership } from '../../shared/orders/ownership.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, ledgerEvents, orderStore, ownershipStore } from './wiring.js';

const deps = { orders: orderStore(), owners: ownershipStore(), events: ledgerEvents(), ...clock };

export const handler = httpRoute({
  body: routeSchemas['POST /products/{productId}/transfer'].body,
  run: async ({ caller, path, body }) => ({ body: await transferOwnership({ ...body, productId: path.productId!, callerId: userOf(caller).userId }, deps) }),
});
