// POST /webhooks/stripe, after the adapter verified the signature: each event the platform subscribes to becomes its
// effect on payout accounts, orders and the books. An event is handled, then marked by its id; a re-delivered
// event (Stripe retries until it gets a 2xx, and may send one twice) finds the mark and changes nothing. Every
// effect is itself idempotent, so two deliveries racing past the mark still act once.
import type { Notifications } from '../orders/notifications.js';
import type { Order } from '../orders/order.js';
import { update } from '../orders/order-records.js';
import type { OrderStore } from '../orders/ports.js';
import { closeRefunded, returnPayment, type ReturnPaymentDeps } from '../orders/refunds.js';
import type { PrinterStore } from '../printers/ports.js';
import type { Books } from './accounting.js';
import type { PaymentEvent } from './payment-events.js';
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
      // Only a whole refund maps onto the order; a partial one made in the dashboard needs a person to split it.
      if (event.refundedCents < event.amountCents) return 'partial-refund-not-applied';
      const { releaseUndone } = await returnPayment(order, { refundAtGateway: false }, deps);
      await closeRefunded(order, { error: 'RefundedAtProvider', cause: 'refunded from the payment provider’s dashboard' }, releaseUndone, 'Your payment was refunded.', deps);
      return releaseUndone ? 'order-refunded; release reversed' : 'order-refunded';
    }
    case 'dispute-opened': {
      const order = await orderOf(undefined, event.chargeId, deps);
      if (!order) return 'unknown-charge';
      await update(deps.orders, order.orderId, deps.now, (o) =>
        o.dispute?.disputeId === event.disputeId ? undefined : { ...o, dispute: { disputeId: event.disputeId, reason: event.reason, amountCents: event.amountCents, status: 'open', openedAt: event.occurredAt } },
      );
      return 'dispute-recorded';
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
      if (event.outcome !== 'lost') return `dispute-${status}`;
      if (saved.status === 'refunded') return 'dispute-lost; already refunded';
      // The bank gave the buyer their money back: the participants' shares are taken back as for a refund.
      const { releaseUndone } = await returnPayment(saved, { refundAtGateway: false }, deps);
      await closeRefunded(saved, { error: 'DisputeLost', cause: 'the payment was disputed and returned to the buyer by their bank' }, releaseUndone, 'Your bank’s dispute of this payment was decided in your favour.', deps);
      return releaseUndone ? 'dispute-lost; order refunded; release reversed' : 'dispute-lost; order refunded';
    }
    case 'ignored':
      return 'ignored';
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled payment event ${JSON.stringify(unhandled)}`);
    }
  }
}

async function orderOf(orderId: string | undefined, chargeId: string, deps: { orders: OrderStore }): Promise<Order | undefined> {
  const id = orderId ?? (await deps.orders.orderOfCharge(chargeId));
  if (!id) return undefined;
  const order = await deps.orders.get(id);
  // A transfer group that is not one of our orders, or an order paid by another charge: not ours to act on.
  return order?.chargeId === chargeId ? order : undefined;
}


