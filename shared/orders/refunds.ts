// Giving a customer their money back, whenever it happens: a failed order (the workflow's Refund step), an admin's
// refund of a delivered order, a refund made from the payment provider's dashboard, a chargeback the platform lost.
// If the escrow was released (wholly, or partly before a failure), the release is undone first: every transfer of
// the order's transfer group is reversed, then the charge is refunded, then the books reverse the payouts and the
// release and return the escrow to the customer. Each call carries an idempotency key and each journal entry is
// posted once, so any step may be replayed; afterwards every account's lines for the order add up to zero.
// A part of the payment given back from the provider's dashboard is booked here too (partialRefundEntry), and the
// release splits what such parts left in the escrow (releaseSplit).
import { z } from 'zod';
import { Conflict } from '../errors.js';
import { reversalOf, type Books, type JournalEntry, type Posting, type Split } from '../payments/accounting.js';
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
  const marked = await update(deps.orders, order.orderId, deps.now, (o) => (o[mark] ? undefined : { ...o, [mark]: deps.now().toISOString() }));
  // Parts already given back from the dashboard are not refunded again: the charge has only the rest left.
  const rest = order.quote.totalCents - partiallyRefundedCents(marked);
  if (how.refundAtGateway && rest > 0) {
    // The workflow's Refund step uses the same key: whichever path comes first refunds, the other is replayed.
    await deps.payments.refund({ chargeId: order.chargeId, amountCents: rest, idempotencyKey: `${order.orderId}:refund` });
  }
  const at = deps.now().toISOString();
  const entries = await deps.books.entries(order.orderId);
  const steps = new Set(entries.map((e) => e.step));
  const reversals = entries.filter((e) => undone(e.step) && !steps.has(`reversal:${e.step}`)).map((e) => reversalOf(e, at));
  for (const r of reversals) await deps.books.post(r);
  const refund = refundEntry(order, [...entries, ...reversals], at);
  if (refund) await deps.books.post(refund);
  return { releaseUndone: steps.has('release') };
}

const escrowOf = (entries: readonly JournalEntry[]) => entries.flatMap((e) => e.postings).reduce((n, p) => (p.account === 'escrow' ? n + p.amountCents : n), 0);
const isPartialRefund = (step: string) => step.startsWith('partial-refund:');

/**
 * The last entry of a refund, once the release and payouts are reversed: what the escrow still holds for the order
 * leaves it, and the customer gets the charge less the parts booked as given back already. The two differ by the
 * parts the platform bore after the release (which the reversed release no longer needs): those return to the
 * platform. Undefined when nothing is left to move (every part was booked before).
 */
export function refundEntry(order: Order, entries: readonly JournalEntry[], at: string): JournalEntry | undefined {
  const held = escrowOf(entries);
  const givenBack = entries.filter((e) => isPartialRefund(e.step)).flatMap((e) => e.postings).reduce((n, p) => (p.account === `customer:${order.customerId}` ? n + p.amountCents : n), 0);
  const toCustomer = order.quote.totalCents - givenBack;
  const postings: Posting[] = [
    { account: 'escrow', amountCents: -held },
    { account: `customer:${order.customerId}`, amountCents: toCustomer },
    { account: 'platform:commission', amountCents: held - toCustomer },
  ].filter((p) => p.amountCents !== 0);
  return postings.length ? { orderId: order.orderId, step: 'refund', postings, at } : undefined;
}

/** What the provider's dashboard gave back of the order's payment so far, in parts (each recorded once). */
export function partiallyRefundedCents(order: Pick<Order, 'partialRefunds'>): number {
  return (order.partialRefunds ?? []).reduce((n, r) => n + r.amountCents, 0);
}

/**
 * Who bears a part of the payment given back from the provider's dashboard:
 *
 * - **Before the release**, it comes out of the escrow, and the release splits only what is left: the refund is taken
 *   from the platform's commission first, then from the printer's payout (printing fee, then shipping), then from the
 *   designer's royalty. The platform decided the refund (it is made in the platform's own dashboard), so its share
 *   goes first; beyond that, a partial refund answers a complaint about the print or its delivery, which the printer's
 *   work determines, while the licensed design was delivered as sold.
 * - **After the release**, the platform bears it alone (from `platform:commission`): the shares were earned and may
 *   already be in the participants' banks, and nothing in their terms lets the platform take part of them back.
 *
 * A part that brings what was given back to the whole charge is not a part: the order is refunded (refunds.ts's
 * returnPayment), which books only the rest.
 *
 * This is the split ReleaseEscrow posts and pays out. `escrowedCents` is what the escrow holds for the order then.
 */
export function releaseSplit(order: Order): { escrowedCents: number; split: Split } {
  if (!order.product) throw new Conflict(`Order ${order.orderId} has no product; there is nothing to release`);
  const q = order.quote;
  const royalty = Math.min(q.designPriceCents, order.royaltyCents);
  let refunded = partiallyRefundedCents(order);
  if (refunded >= q.totalCents) throw new Conflict(`Order ${order.orderId} was given back in full (${refunded} cents); there is nothing to release`);
  const take = (share: number) => {
    const taken = Math.min(share, refunded);
    refunded -= taken;
    return share - taken;
  };
  // The part of the design price that is not the designer's royalty stays with the platform.
  const commissionCents = take(q.commissionCents + q.designPriceCents - royalty);
  const printingFeeCents = take(q.printingFeeCents);
  const shippingCents = take(q.shippingCents);
  const royaltyCents = take(royalty);
  return {
    escrowedCents: q.totalCents - partiallyRefundedCents(order),
    split: { designerId: order.designerId, printerId: order.product.printerId, royaltyCents, printingFeeCents, shippingCents, commissionCents },
  };
}

/**
 * The entry of a part given back from the dashboard, recorded on the order first (`partialRefunds`): from the escrow
 * while the release has not split it, or when the release already left this part out of its split; otherwise from
 * the platform's commission. What the release left out is read from the books (it took `total − parts` from the
 * escrow), and the parts it left out are the first ones recorded, since the release reads them from the order.
 *
 * A release that read the order before this part was recorded and posted its split after this looked for it left the
 * part out of its split, though it was booked from the escrow: lateRefundSettlement makes the platform bear it then.
 */
export function partialRefundEntry(order: Order, refundId: string, entries: readonly JournalEntry[], at: string): JournalEntry {
  const refunds = order.partialRefunds ?? [];
  const index = refunds.findIndex((r) => r.refundId === refundId);
  if (index < 0) throw new Conflict(`Refund ${refundId} is not recorded on order ${order.orderId}`);
  const amountCents = refunds[index]!.amountCents;
  const release = entries.find((e) => e.step === 'release');
  let fromEscrow = true;
  if (release) {
    const released = -escrowOf([release]);
    const upTo = refunds.slice(0, index + 1).reduce((n, r) => n + r.amountCents, 0);
    fromEscrow = upTo <= order.quote.totalCents - released;
  }
  return {
    orderId: order.orderId,
    step: `partial-refund:${refundId}`,
    postings: [
      { account: fromEscrow ? 'escrow' : 'platform:commission', amountCents: -amountCents },
      { account: `customer:${order.customerId}`, amountCents },
    ],
    at,
  };
}

/**
 * The platform taking over a part booked from the escrow that the release did not leave out after all (it read the
 * order before the part was recorded, and posted its split after the part was booked): the escrow gets the part back
 * from the platform's commission, as if it had been borne by the platform from the start. Undefined when there is
 * nothing to settle. Posted once, as `partial-refund:<refund>:platform-bears`.
 */
export function lateRefundSettlement(order: Order, refundId: string, entries: readonly JournalEntry[], at: string): JournalEntry | undefined {
  const booked = entries.find((e) => e.step === `partial-refund:${refundId}`);
  const fromEscrow = booked?.postings.find((p) => p.account === 'escrow');
  if (!fromEscrow || !entries.some((e) => e.step === 'release')) return undefined;
  if (partialRefundEntry(order, refundId, entries, at).postings[0]!.account === 'escrow') return undefined;
  return {
    orderId: order.orderId,
    step: `partial-refund:${refundId}:platform-bears`,
    postings: [
      { account: 'platform:commission', amountCents: fromEscrow.amountCents },
      { account: 'escrow', amountCents: -fromEscrow.amountCents },
    ],
    at,
  };
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
