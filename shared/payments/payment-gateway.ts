// Taking and moving money. Stripe in production (Connect: separate charges and transfers under one transfer group);
// a local gateway that follows Stripe's test cards on the embedded platform. Every call carries an idempotency key:
// a retry returns the first answer and never charges twice.

export type ChargeResult =
  | { status: 'succeeded'; chargeId: string; amountCents: number }
  | { status: 'declined'; code: 'card_declined' | 'insufficient_funds' | 'incorrect_number' | 'expired_card'; message: string };

/**
 * A participant's connected account as Stripe reports it. Transfers may be sent once its `transfers` capability is
 * active (`transfersActive`); payouts to their bank follow on Stripe's schedule once `payoutsEnabled`.
 */
export interface ConnectedAccountStatus {
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  transfersActive: boolean;
  detailsSubmitted: boolean;
  /** What Stripe needs from the participant now (its `currently_due` and `past_due` requirements). */
  requirementsDue: string[];
  disabledReason?: string;
}

/** A transfer made out of a transfer group's charge, and how much of it was reversed since. */
export interface TransferMade {
  transferId: string;
  destinationAccount: string;
  amountCents: number;
  reversedCents: number;
}

export interface PaymentGateway {
  charge(input: { amountCents: number; currency: 'eur'; paymentMethod: string; transferGroup: string; idempotencyKey: string }): Promise<ChargeResult>;
  refund(input: { chargeId: string; amountCents: number; idempotencyKey: string }): Promise<{ refundId: string }>;
  transfer(input: { destinationAccount: string; amountCents: number; transferGroup: string; idempotencyKey: string }): Promise<{ transferId: string }>;
  /** Every transfer of the group, as the gateway knows it: a transfer made just before a crash is listed too. */
  transfersOf(transferGroup: string): Promise<TransferMade[]>;
  /** Takes (part of) a transfer back from the connected account into the platform's balance. */
  reverseTransfer(input: { transferId: string; amountCents: number; idempotencyKey: string }): Promise<{ reversalId: string }>;
  /** Opens an Express connected account for a designer or operator; the same key returns the same account. */
  createConnectedAccount(input: { userId: string; email?: string; country: string; idempotencyKey: string }): Promise<{ accountId: string; status: ConnectedAccountStatus }>;
  /** A single-use link to the gateway's hosted onboarding; it comes back to `returnUrl`, or `refreshUrl` once expired. */
  onboardingLink(input: { accountId: string; refreshUrl: string; returnUrl: string }): Promise<{ url: string; expiresAt: string }>;
}

/** What the local gateway does with a card, following Stripe's documented test numbers and PaymentMethod ids. */
export type DeclineCode = Extract<ChargeResult, { status: 'declined' }>['code'];

export function testCardOutcome(paymentMethod: string): 'succeeded' | DeclineCode {
  const pm = paymentMethod.replace(/[\s-]/g, '');
  switch (pm) {
    case '4242424242424242':
    case 'pm_card_visa':
      return 'succeeded';
    case '4000000000000002':
    case 'pm_card_chargeDeclined':
      return 'card_declined';
    case '4000000000009995':
    case 'pm_card_chargeDeclinedInsufficientFunds':
      return 'insufficient_funds';
    case '4000000000000069':
    case 'pm_card_chargeDeclinedExpiredCard':
      return 'expired_card';
    default:
      return 'incorrect_number';
  }
}
