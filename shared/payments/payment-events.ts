// What the payment provider tells us after the fact (Stripe webhooks), in the domain's words. The Stripe adapter
// verifies and translates Stripe's events into these; the use case in handle-payment-event.ts turns them into
// effects. The embedded platform's events are Stripe-shaped and go through the same adapter.
import type { ConnectedAccountStatus } from './payment-gateway.js';

interface EventBase {
  /** The provider's event id (`evt_…`): a re-delivered event carries the same id and is handled once. */
  eventId: string;
  /** When the provider created the event; older news never overwrites newer (deliveries are not ordered). */
  occurredAt: string;
}

export type PaymentEvent = EventBase &
  (
    | {
        /** A connected account changed (onboarding progressed, requirements came due, capabilities changed). */
        kind: 'account-updated';
        accountId: string;
        /** The platform user the account was opened for (kept in the account's metadata). */
        userId?: string;
        status: ConnectedAccountStatus;
      }
    | {
        /** Money of a charge went back to the buyer: by us (the refund steps) or from the provider's dashboard. */
        kind: 'charge-refunded';
        chargeId: string;
        /** The transfer group of the charge, which is the order id. */
        orderId?: string;
        amountCents: number;
        refundedCents: number;
      }
    | {
        /** The buyer's bank disputes a charge; the disputed amount is held by the provider until it is decided. */
        kind: 'dispute-opened';
        chargeId: string;
        disputeId: string;
        amountCents: number;
        reason: string;
      }
    | {
        /** A dispute was decided: `lost` means the money went back to the buyer through their bank. */
        kind: 'dispute-closed';
        chargeId: string;
        disputeId: string;
        outcome: 'won' | 'lost' | 'other';
      }
    | {
        /** An event we receive but do not act on (named, so logs and tests can tell it apart from a bug). */
        kind: 'ignored';
        providerType: string;
      }
  );

export type PaymentEventKind = PaymentEvent['kind'];
