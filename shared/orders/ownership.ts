// Resale: the owner of a delivered product passes it to someone else. The ledger records the transfer from the
// owner's custodial key to the new owner's (ids only, never names). Each transfer carries an id chosen by the
// client, so a retried request is recognised and never moves the product twice.
import { z } from 'zod';
import { Conflict, Forbidden, NotFound, RuleViolation } from '../errors.js';
import type { LedgerEvents, OrderStore } from './ports.js';
import { orderIdOfProduct } from './order.js';

export const TransferInput = z.strictObject({
  transferId: z.uuid(),
  /** The new owner's account id (the `userId` of GET /me), which they share with the seller. */
  toOwnerId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'an account id'),
});
export type TransferInput = z.infer<typeof TransferInput>;

export interface Ownership {
  productId: string;
  ownerId: string;
  /** Transfers so far; the ledger event of transfer n is `product.ownershipTransferred:<productId>:<n>`. */
  transfers: number;
  lastTransfer?: { transferId: string; fromOwnerId: string; toOwnerId: string; at: string };
}

export interface OwnershipStore {
  get(productId: string): Promise<Ownership | undefined>;
  /** Writes `next` only if the stored record still has `expectedTransfers` transfers (or none is stored and it is 0). */
  save(next: Ownership, expectedTransfers: number): Promise<boolean>;
}


export async function transferOwnership(
  input: TransferInput & { productId: string; callerId: string },
  deps: { orders: OrderStore; owners: OwnershipStore; events: LedgerEvents; now: () => Date },
) {
  const orderId = orderIdOfProduct(input.productId);
  const order = orderId ? await deps.orders.get(orderId) : undefined;
  if (!order?.product) throw new NotFound(`Product ${input.productId} not found`);
  if (order.status !== 'completed') throw new RuleViolation('A product can be resold once it has been delivered');
  const current: Ownership = (await deps.owners.get(input.productId)) ?? { productId: input.productId, ownerId: order.customerId, transfers: 0 };
  if (current.lastTransfer?.transferId === input.transferId) {
    if (current.lastTransfer.toOwnerId !== input.toOwnerId || current.lastTransfer.fromOwnerId !== input.callerId) throw new Conflict(`Transfer ${input.transferId} was made with other details`);
    await publish(current, deps);
    return current;
  }
  if (current.ownerId !== input.callerId) throw new Forbidden('Only the product’s current owner can pass it on');
  if (input.toOwnerId === input.callerId) throw new RuleViolation('The product is yours already');
  const next: Ownership = {
    productId: input.productId,
    ownerId: input.toOwnerId,
    transfers: current.transfers + 1,
    lastTransfer: { transferId: input.transferId, fromOwnerId: input.callerId, toOwnerId: input.toOwnerId, at: deps.now().toISOString() },
  };
  if (!(await deps.owners.save(next, current.transfers))) throw new Conflict('The product changed hands meanwhile; reload and try again');
  await publish(next, deps);
  return next;
}

async function publish(o: Ownership, deps: { events: LedgerEvents }) {
  const t = o.lastTransfer!;
  await deps.events.publish({
    type: 'product.ownershipTransferred',
    version: 1,
    eventId: `product.ownershipTransferred:${o.productId}:${o.transfers}`,
    occurredAt: t.at,
    assetKey: o.productId,
    productId: o.productId,
    fromOwnerId: t.fromOwnerId,
    toOwnerId: t.toOwnerId,
  });
}
