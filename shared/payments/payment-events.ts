// What the payment provider tells us after the fact (Stripe webhooks), in the domain's words. The Stripe adapter
// verifies and translates Stripe's events into these and checks each against this contract before handing it on; the
// use case in handle-payment-event.ts turns them into effects. The embedded platform's events are Stripe-shaped and go
// through the same adapter.
import { z } from 'zod';

const cents = z.number().int();

const EventBase = {
  /** The provider's event id (`evt_…`): a re-delivered event carries the same id and is handled once. */
  eventId: z.string().min(1),
  /** When the provider created the event; older news never overwrites newer (deliveries are not ordered). */
  occurredAt: z.iso.datetime(),
};

/** A participant's connected account as the provider reports it (see ConnectedAccountStatus in payment-gateway.ts). */
const AccountStatus = z.strictObject({
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  transfersActive: z.boolean(),
  detailsSubmitted: z.boolean(),
  requirementsDue: z.array(z.string()),
  disabledReason: z.string().optional(),
});

/**
 * The provider's fee on one movement of a dispute's funds (a balance transaction): the fee it charges when it withdraws
 * the disputed amount (positive), and the same fee given back when it reinstates the funds of a dispute won
 * (negative). A provider that keeps the fee on a win reports a reinstatement with no fee. Every dispute event carries
 * the dispute's movements so far, so each is booked once by its id, whichever event brings it first.
 */
export const DisputeFee = z.strictObject({
  balanceTransactionId: z.string().min(1),
  feeCents: cents,
});
export type DisputeFee = z.infer<typeof DisputeFee>;

export const PaymentEvent = z.discriminatedUnion('kind', [
  z.strictObject({
    ...EventBase,
    /** A connected account changed (onboarding progressed, requirements came due, capabilities changed). */
    kind: z.literal('account-updated'),
    accountId: z.string().min(1),
    /** The platform user the account was opened for (kept in the account's metadata). */
    userId: z.string().min(1).optional(),
    status: AccountStatus,
  }),
  z.strictObject({
    ...EventBase,
    /** Money of a charge went back to the buyer: by us (the refund steps) or from the provider's dashboard. */
    kind: z.literal('charge-refunded'),
    chargeId: z.string().min(1),
    /** The transfer group of the charge, which is the order id. */
    orderId: z.string().min(1).optional(),
    amountCents: cents.nonnegative(),
    /** Everything refunded of the charge so far (all its refunds together). */
    refundedCents: cents.nonnegative(),
  }),
  z.strictObject({
    ...EventBase,
    /**
     * One refund of a charge succeeded: ours, or one made from the provider's dashboard, possibly of part of the
     * charge. Its id names it: each is booked once however often it is reported.
     */
    kind: z.literal('refund-succeeded'),
    refundId: z.string().min(1),
    chargeId: z.string().min(1),
    amountCents: cents.positive(),
  }),
  z.strictObject({
    ...EventBase,
    /** The buyer's bank disputes a charge; the disputed amount is held by the provider until it is decided. */
    kind: z.literal('dispute-opened'),
    chargeId: z.string().min(1),
    disputeId: z.string().min(1),
    amountCents: cents.nonnegative(),
    reason: z.string(),
    fees: z.array(DisputeFee),
  }),
  z.strictObject({
    ...EventBase,
    /** The provider withdrew a dispute's funds (and its fee) from the platform's balance, or reinstated them. */
    kind: z.literal('dispute-funds-moved'),
    chargeId: z.string().min(1),
    disputeId: z.string().min(1),
    movement: z.enum(['withdrawn', 'reinstated']),
    fees: z.array(DisputeFee),
  }),
  z.strictObject({
    ...EventBase,
    /** A dispute was decided: `lost` means the money went back to the buyer through their bank. */
    kind: z.literal('dispute-closed'),
    chargeId: z.string().min(1),
    disputeId: z.string().min(1),
    outcome: z.enum(['won', 'lost', 'other']),
    fees: z.array(DisputeFee),
  }),
  z.strictObject({
    ...EventBase,
    /** An event we receive but do not act on (named, so logs and tests can tell it apart from a bug). */
    kind: z.literal('ignored'),
    providerType: z.string(),
  }),
]);
export type PaymentEvent = z.infer<typeof PaymentEvent>;

export type PaymentEventKind = PaymentEvent['kind'];
