// Giving a customer their money back, whenever it happens: a failed order (the workflow's Refund step), an admin's
// refund of a delivered order, a refund made from the payment provider's dashboard, a chargeback the platform lost.
// If the escrow was released (wholly, or partly before a failure), the release is undone first: every transfer of
// the order's transfer group is reversed, then the charge is refunded, then the books reverse the payouts and the
// release and return the escrow to the customer. Each call carries an idempotency key and each journal entry is
// posted once, so any step may be replayed; afterwards every account's lines for the order add up to zero.
import { z } from 'zod';
import { Conflict } from '../errors.js';
import { reversalOf, type Books } from '../payments/accounting.js';
import type { PaymentGateway } from '../payments/payment-gateway.js';
import type { PrinterStore } from '../printers/ports.js';
import type { Notifications } from './notifications.js';
import type { Order } from './order.js';
import { load, tellAll, update, type Clock, type Tiding } from './order-records.js';
import type { OrderStore } from './ports.js';

export interface ReturnPaymentDeps extends Clock {
  orders: OrderStore;
  payments: PaymentGateway;
  books: Books;
  notifications: Notifications;
  printers: PrinterStore;
}

/** Journal steps a refund undoes: the release and the payouts that followed it. */
const undone = (step: string) => step === 'release' || step.startsWith('payout:');

/**
 * Takes back what the release sent (transfer reversals, then the books) and returns the escrow to the customer.
 * `refundAtGateway: false` when the money already went back outside the platform (a dashboard refund, a lost
 * dispute): only the transfers and the books follow. Answers whether there was a release to undo.
 */
export async function returnPayment(order: Order, how: { refundAtGateway: boolean }, deps: ReturnPaymentDeps): Promise<{ releaseUndone: boolean }> {
  if (!order.chargeId) throw new Conflict(`Order ${order.orderId} was never charged`);
  for (const t of await deps.payments.transfersOf(order.orderId)) {
    const left = t.amountCents - t.reversedCents;
    if (left > 0) await deps.payments.reverseTransfer({ transferId: t.transferId, amountCents: left, idempotencyKey: `${order.orderId}:reversal:${t.transferId}` });
  }
  // Marked before any money moves back: a release running at the same time (a dispute lost while the escrow is split)
  // finds the mark when it completes and takes back what it paid after this looked. Our own refund and one made
  // outside are marked apart: a provider's event about our refund is not news, one about its own refund is.
  const mark = how.refundAtGateway ? 'refundStartedAt' : 'returnedOutsideAt';
  await update(deps.orders, order.orderId, deps.now, (o) => (o[mark] ? undefined : { ...o, [mark]: deps.now().toISOString() }));
  if (how.refundAtGateway) {
    // The workflow's Refund step uses the same key: whichever path comes first refunds, the other is replayed.
    await deps.payments.refund({ chargeId: order.chargeId, amountCents: order.quote.totalCents, idempotencyKey: `${order.orderId}:refund` });
  }
  const at = deps.now().toISOString();
  const entries = await deps.books.entries(order.orderId);
  const steps = new Set(entries.map((e) => e.step));
  for (const e of entries) {
    if (undone(e.step) && !steps.has(`reversal:${e.step}`)) await deps.books.post(reversalOf(e, at));
  }
  await deps.books.post({
    orderId: order.orderId,
    step: 'refund',
    postings: [
      { account: 'escrow', amountCents: -order.quote.totalCents },
      { account: `customer:${order.customerId}`, amountCents: order.quote.totalCents },
    ],
    at,
  });
  return { releaseUndone: steps.has('release') };
}

/** Marks the order refunded and tells the customer and, if they had been paid, the designer and the operator. */
export async function closeRefunded(order: Order, failure: { error: string; cause: string }, releaseUndone: boolean, customerText: string, deps: ReturnPaymentDeps): Promise<Order> {
  const saved = await update(deps.orders, order.orderId, deps.now, (o) => {
    if (o.status === 'refunded') return undefined;
    const rest: Order = { ...o, status: 'refunded', failure };
    delete rest.waiting;
    // Nothing will be sent any more: where the customer lives is not kept.
    delete rest.deliverTo;
    return rest;
  });
  const tidings: Tiding[] = [{ userId: saved.customerId, kind: 'order-refunded', text: customerText }];
  if (releaseUndone) {
    const text = `The payment for order ${saved.orderId} was returned to the customer; your share of it was taken back.`;
    tidings.push({ userId: saved.designerId, kind: 'payout-reversed', text });
    const printerId = saved.product?.printerId;
    const operator = printerId ? (await deps.printers.get(printerId))?.operatorId : undefined;
    if (operator && operator !== saved.designerId) tidings.push({ userId: operator, kind: 'payout-reversed', text });
  }
  await tellAll(deps, saved, tidings);
  return saved;
}

export const RefundInput = z.strictObject({ reason: z.string().trim().min(3).max(500) });

/**
 * POST /orders/{orderId}/refund: an admin refunds a delivered order (a complaint, a faulty product). Orders still in
 * their workflow are refunded by the workflow itself when they fail; this is for those it completed.
 */
export async function refundDeliveredOrder(input: { orderId: string; reason: string; adminId: string }, deps: ReturnPaymentDeps) {
  const order = await load(deps.orders, input.orderId);
  // Refunded already (a retried request, a lost dispute, a dashboard refund): the money went back once, that is all.
  if (order.status === 'refunded') return { orderId: order.orderId, status: order.status, refundedCents: order.quote.totalCents };
  if (order.status !== 'completed') {
    throw new Conflict(`Order ${order.orderId} is ${order.status}; only a completed order is refunded this way (its workflow refunds it if it fails)`);
  }
  const { releaseUndone } = await returnPayment(order, { refundAtGateway: true }, deps);
  // The product was printed and delivered, so its print stays counted in the edition: the licence is not returned.
  const saved = await closeRefunded(order, { error: 'RefundedByAdmin', cause: input.reason }, releaseUndone, `Your order was refunded: ${input.reason}`, deps);
  return { orderId: saved.orderId, status: saved.status, refundedCents: saved.quote.totalCents };
}
