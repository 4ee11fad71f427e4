// Taking and moving money. Stripe in production (Connect: separate charges and transfers under one transfer group);
// a local gateway that follows Stripe's test cards on the embedded platform. Every call carries an idempotency key:
// a retry returns the first answer and never charges twice.

export type ChargeResult =
  | { status: 'succeeded'; chargeId: string; amountCents: number }
  | { status: 'declined'; code: 'card_declined' | 'insufficient_funds' | 'incorrect_number' | 'expired_card'; message: string };

export interface PaymentGateway {
  charge(input: { amountCents: number; currency: 'eur'; paymentMethod: string; transferGroup: string; idempotencyKey: string }): Promise<ChargeResult>;
  refund(input: { chargeId: string; amountCents: number; idempotencyKey: string }): Promise<{ refundId: string }>;
  transfer(input: { destinationAccount: string; amountCents: number; transferGroup: string; idempotencyKey: string }): Promise<{ transferId: string }>;
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
