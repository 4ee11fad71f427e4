// POST /webhooks/stripe, after the adapter verified the signature: each event the platform subscribes to becomes its
// effect on payout accounts, orders and the books. An event is handled, then marked by its id; a re-delivered
// event (Stripe retries until it gets a 2xx, and may send one twice) finds the mark and changes nothing. Every
// effect is itself idempotent, so two deliveries racing past the mark still act once.
import type { Notifications } from '../orders/notifications.js';
import type { Order } from '../orders/order.js';
import { euros, tellAll, update } from '../orders/order-records.js';
import type { OrderStore } from '../orders/ports.js';
import { closeRefunded, lateRefundSettlement, partiallyRefundedCents, partialRefundEntry, returnPayment, type ReturnPaymentDeps } from '../orders/refunds.js';
import type { PrinterStore } from '../printers/ports.js';
import { disputeFeeEntry, type Books } from './accounting.js';
import type { DisputeFee, PaymentEvent } from './payment-events.js';
import type { PaymentGateway } from './payment-gateway.js';
import { payOwed, readyForTransfers, type PayoutAccountStore } from './payout-accounts.js';

export interface HandledEvents {
  seen(eventId: string): Promise<boolean>;
  mark(eventId: string, effect: string, expiresAt: number): Promise<void>;
}

export interface PaymentEventDeps extends ReturnPaymentDeps {
  orders: OrderStore;
  payments: PaymentGateway;
  books: Books;
  notifications: Notifications;
  printers: PrinterStore;
  payoutAccounts: PayoutAccountStore;
  handledEvents: HandledEvents;
}

/** Stripe re-delivers for up to three days; the marks outlive that. */
const markSeconds = 30 * 86_400;

export async function handlePaymentEvent(event: PaymentEvent, deps: PaymentEventDeps): Promise<{ eventId: string; kind: PaymentEvent['kind']; duplicate: boolean; effect: string }> {
  if (await deps.handledEvents.seen(event.eventId)) return { eventId: event.eventId, kind: event.kind, duplicate: true, effect: 'none' };
  const effect = await apply(event, deps);
  await deps.handledEvents.mark(event.eventId, effect, Math.floor(deps.now().getTime() / 1000) + markSeconds);
  return { eventId: event.eventId, kind: event.kind, duplicate: false, effect };
}

async function apply(event: PaymentEvent, deps: PaymentEventDeps): Promise<string> {
  switch (event.kind) {
    case 'account-updated': {
      if (!event.userId) return 'not-ours';
      // Deliveries are not ordered: an older report of the account does not overwrite a newer one.
      if (!(await deps.payoutAccounts.updateStatus(event.userId, event.accountId, event.status, event.occurredAt))) return 'stale-or-unknown-account';
      if (!readyForTransfers(await deps.payoutAccounts.get(event.userId))) return 'status-updated';
      const { transferred } = await payOwed({ userId: event.userId }, deps);
      return `status-updated; ${transferred} owed share(s) transferred`;
    }
    case 'charge-refunded': {
      const order = await orderOf(event.orderId, event.chargeId, deps);
      if (!order) return 'unknown-charge';
      // Ours (the workflow's or an admin's refund, whose event may arrive before that refund finished its books).
      if (order.status === 'refunded' || order.refundStartedAt) return 'already-refunded';
      // A part: this event does not say which refund it was, so the refund's own event books it (refund-succeeded).
      if (event.refundedCents < event.amountCents) return 'partial-refund; booked by its refund event';
      return refundWhole(order, deps);
    }
    case 'refund-succeeded': {
      const order = await orderOf(undefined, event.chargeId, deps);
      if (!order) return 'unknown-charge';
      if (order.status === 'refunded' || order.refundStartedAt) return 'already-refunded';
      // Recorded on the order before it is booked: the release reads the parts from the order, and the booking from the
      // order's record of them (a crash between the two is finished by the redelivery). Decided on the record as
      // written, so two parts reported at once cannot both pass for parts when together they are the whole payment.
      let whole = false;
      const saved = await update(deps.orders, order.orderId, deps.now, (o) => {
        whole = false;
        if (o.partialRefunds?.some((r) => r.refundId === event.refundId)) return undefined;
        // With the parts before it, the whole payment went back: the order is refunded, and books only the rest.
        whole = partiallyRefundedCents(o) + event.amountCents >= o.quote.totalCents;
        return whole ? undefined : { ...o, partialRefunds: [...(o.partialRefunds ?? []), { refundId: event.refundId, amountCents: event.amountCents, at: event.occurredAt }] };
      });
      if (whole) return refundWhole(saved, deps);
      const entry = partialRefundEntry(saved, event.refundId, await deps.books.entries(order.orderId), deps.now().toISOString());
      const posted = await deps.books.post(entry);
      // Looked at again: a release that read the order before this part was recorded may have posted its split since.
      const settlement = lateRefundSettlement(saved, event.refundId, await deps.books.entries(order.orderId), deps.now().toISOString());
      // Once per part (its refund id tells it from the others), whichever delivery gets this far first.
      await tellAll(deps, saved, [{ userId: saved.customerId, kind: 'payment-partly-refunded', occasion: event.refundId, text: `${euros(event.amountCents)} of your payment was given back to you.` }]);
      if (settlement && (await deps.books.post(settlement))) return 'partial-refund-booked; borne by the platform (the release had split it)';
      if (!posted) return 'partial-refund; booked before';
      return entry.postings[0]!.account === 'escrow' ? 'partial-refund-booked; from the escrow' : 'partial-refund-booked; borne by the platform';
    }
    case 'dispute-opened': {
      const order = await orderOf(undefined, event.chargeId, deps);
      if (!order) return 'unknown-charge';
      await update(deps.orders, order.orderId, deps.now, (o) =>
        o.dispute?.disputeId === event.disputeId ? undefined : { ...o, dispute: { disputeId: event.disputeId, reason: event.reason, amountCents: event.amountCents, status: 'open', openedAt: event.occurredAt } },
      );
      return `dispute-recorded${await bookDisputeFees(order.orderId, event.disputeId, event.fees, deps)}`;
    }
    case 'dispute-funds-moved': {
      const order = await orderOf(undefined, event.chargeId, deps);
      if (!order) return 'unknown-charge';
      return `dispute-funds-${event.movement}${await bookDisputeFees(order.orderId, event.disputeId, event.fees, deps)}`;
    }
    case 'dispute-closed': {
      const order = await orderOf(undefined, event.chargeId, deps);
      if (!order) return 'unknown-charge';
      const status = event.outcome === 'other' ? 'closed' : event.outcome;
      const saved = await update(deps.orders, order.orderId, deps.now, (o) =>
        o.dispute?.status === status
          ? undefined
          : { ...o, dispute: { ...(o.dispute ?? { disputeId: event.disputeId, reason: 'unknown', amountCents: o.quote.totalCents, openedAt: event.occurredAt }), status, closedAt: event.occurredAt } },
      );
      const fees = await bookDisputeFees(order.orderId, event.disputeId, event.fees, deps);
      if (event.outcome !== 'lost') return `dispute-${status}${fees}`;
      if (saved.status === 'refunded') return `dispute-lost; already refunded${fees}`;
      // The bank gave the buyer their money back: the participants' shares are taken back as for a refund.
      const { releaseUndone } = await returnPayment(saved, { refundAtGateway: false }, deps);
      await closeRefunded(saved, { error: 'DisputeLost', cause: 'the payment was disputed and returned to the buyer by their bank' }, releaseUndone, 'Your bank’s dispute of this payment was decided in your favour.', deps);
      return `${releaseUndone ? 'dispute-lost; order refunded; release reversed' : 'dispute-lost; order refunded'}${fees}`;
    }
    case 'ignored':
      return 'ignored';
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled payment event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The payment went back in whole outside the platform (from the dashboard): the order is refunded as in refunds.ts. */
async function refundWhole(order: Order, deps: PaymentEventDeps): Promise<string> {
  const { releaseUndone } = await returnPayment(order, { refundAtGateway: false }, deps);
  await closeRefunded(order, { error: 'RefundedAtProvider', cause: 'refunded from the payment provider’s dashboard' }, releaseUndone, 'Your payment was refunded.', deps);
  return releaseUndone ? 'order-refunded; release reversed' : 'order-refunded';
}

/** Books each fee movement of the dispute once; answers what it booked, for the effect. */
async function bookDisputeFees(orderId: string, disputeId: string, fees: readonly DisputeFee[], deps: PaymentEventDeps): Promise<string> {
  let net = 0;
  for (const fee of fees) if (await deps.books.post(disputeFeeEntry(orderId, disputeId, fee, deps.now().toISOString()))) net += fee.feeCents;
  if (net > 0) return `; fee of ${net} cents booked`;
  if (net < 0) return `; fee of ${-net} cents returned`;
  return '';
}

async function orderOf(orderId: string | undefined, chargeId: string, deps: { orders: OrderStore }): Promise<Order | undefined> {
  const id = orderId ?? (await deps.orders.orderOfCharge(chargeId));
  if (!id) return undefined;
  const order = await deps.orders.get(id);
  // A transfer group that is not one of our orders, or an order paid by another charge: not ours to act on.
  return order?.chargeId === chargeId ? order : undefined;
}


