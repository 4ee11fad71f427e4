// The production payment gateway: Stripe Connect with separate charges and transfers. The buyer's PaymentIntent and
// every later transfer to a designer or printer share the order's transfer group; each call forwards our idempotency
// key to Stripe, which replays the first answer (a decline included) for a retry with the same key.
import Stripe from 'stripe';
import type { ChargeResult, DeclineCode, PaymentGateway } from '../payments/payment-gateway.js';
import { Conflict, DependencyUnavailable, DomainError, InvalidInput, NotFound, RuleViolation, Unauthenticated } from '../errors.js';

/** The PaymentIntent was confirmed but did not succeed (3-D Secure needed, still processing); no money was taken yet. */
export class PaymentNotCompleted extends RuleViolation {}

const declineCodes: readonly DeclineCode[] = ['card_declined', 'insufficient_funds', 'incorrect_number', 'expired_card'];
const isDeclineCode = (code: string | undefined): code is DeclineCode => declineCodes.includes(code as DeclineCode);

export class StripePaymentGateway implements PaymentGateway {
  constructor(private readonly stripe: Stripe) {}

  async charge(input: Parameters<PaymentGateway['charge']>[0]): Promise<ChargeResult> {
    if (!Number.isInteger(input.amountCents) || input.amountCents < 50) throw new InvalidInput('A charge is a whole number of cents, at least 50');
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: input.currency,
          payment_method: input.paymentMethod,
          // Cards only (this API version's replacement for payment_method_types): no redirect-based method, so
          // confirming needs no return_url. A card that asks for 3-D Secure leaves the intent in requires_action,
          // reported as PaymentNotCompleted.
          allowed_payment_method_types: ['card'],
          confirm: true,
          transfer_group: input.transferGroup,
        },
        { idempotencyKey: input.idempotencyKey },
      );
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) return declined(err);
      throw toDomainError(err);
    }
    if (intent.status !== 'succeeded') {
      throw new PaymentNotCompleted(`Payment ${intent.id} is ${intent.status}, not succeeded`, { paymentIntentId: intent.id, status: intent.status });
    }
    const chargeId = typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id;
    if (!chargeId) throw new DependencyUnavailable(`Stripe answered payment ${intent.id} as succeeded without a charge`);
    return { status: 'succeeded', chargeId, amountCents: intent.amount_received };
  }

  async refund(input: Parameters<PaymentGateway['refund']>[0]): Promise<{ refundId: string }> {
    try {
      const refund = await this.stripe.refunds.create({ charge: input.chargeId, amount: input.amountCents }, { idempotencyKey: input.idempotencyKey });
      return { refundId: refund.id };
    } catch (err) {
      throw toDomainError(err);
    }
  }

  /**
   * Pays a connected account out of the group's charge. The transfer names that charge as its source_transaction, so
   * it waits for the charge's funds to become available instead of drawing on (and failing for lack of) the
   * platform's available balance.
   */
  async transfer(input: Parameters<PaymentGateway['transfer']>[0]): Promise<{ transferId: string }> {
    try {
      const source = await this.sourceCharge(input.transferGroup);
      const transfer = await this.stripe.transfers.create(
        {
          amount: input.amountCents,
          currency: source.currency,
          destination: input.destinationAccount,
          transfer_group: input.transferGroup,
          source_transaction: source.id,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { transferId: transfer.id };
    } catch (err) {
      throw toDomainError(err);
    }
  }

  /** The one succeeded charge of a transfer group (the port's transfer names the group, not the charge). */
  private async sourceCharge(transferGroup: string): Promise<Stripe.Charge> {
    const charges = await this.stripe.charges.list({ transfer_group: transferGroup, limit: 100 });
    const succeeded = charges.data.filter((c) => c.status === 'succeeded');
    if (succeeded.length === 0) throw new RuleViolation(`Transfer group ${transferGroup} has no succeeded charge to pay out of`, { transferGroup });
    if (succeeded.length > 1) {
      throw new Conflict(`Transfer group ${transferGroup} has ${succeeded.length} succeeded charges; which one funds the transfer is ambiguous`, {
        transferGroup,
        chargeIds: succeeded.map((c) => c.id),
      });
    }
    return succeeded[0]!;
  }
}

/**
 * Creates an Express connected account for a designer or printer; they finish onboarding on Stripe's hosted pages.
 * The same idempotency key returns the same account, so a retried sign-up never opens a second one.
 */
export async function createExpressAccount(
  stripe: Stripe,
  input: { userId: string; email: string; country: string; idempotencyKey: string },
): Promise<{ accountId: string }> {
  try {
    const account = await stripe.accounts.create(
      {
        type: 'express',
        country: input.country,
        email: input.email,
        // Separate charges and transfers: the platform takes the card payment, the account only receives transfers.
        capabilities: { transfers: { requested: true } },
        metadata: { userId: input.userId },
      },
      { idempotencyKey: input.idempotencyKey },
    );
    return { accountId: account.id };
  } catch (err) {
    throw toDomainError(err);
  }
}

/**
 * Checks a webhook's Stripe-Signature header against the endpoint's secret and returns the event. A wrong signature,
 * a missing header or a timestamp older than `toleranceSeconds` (Stripe's default: 300) is Unauthenticated. `now` is
 * the receiving clock (default: the system clock).
 */
export function verifyStripeWebhook(payload: string | Buffer, signatureHeader: string, secret: string, toleranceSeconds = 300, now?: Date): Stripe.Event {
  // Stripe reads a tolerance of 0 as "skip the timestamp check", which would accept replays forever.
  if (!(toleranceSeconds > 0)) throw new InvalidInput('A webhook tolerance is a positive number of seconds');
  try {
    return Stripe.webhooks.constructEvent(payload, signatureHeader, secret, toleranceSeconds, undefined, now?.getTime());
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw new Unauthenticated(`Stripe webhook rejected: ${err.message}`);
    // A correctly signed body that is not JSON: Stripe did not send it.
    if (err instanceof SyntaxError) throw new InvalidInput('Stripe webhook body is not JSON');
    throw err;
  }
}

function declined(err: InstanceType<typeof Stripe.errors.StripeCardError>): ChargeResult {
  // decline_code is the issuer's reason (insufficient_funds under code card_declined); other card errors carry only a
  // code. Anything we do not name (incorrect_cvc, processing_error...) is a plain decline with Stripe's message.
  const code = isDeclineCode(err.decline_code) ? err.decline_code : isDeclineCode(err.code) ? err.code : 'card_declined';
  return { status: 'declined', code, message: err.message };
}

/** Stripe's failures as our named errors; authentication and permission failures are our misconfiguration (a 500). */
function toDomainError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (!(err instanceof Stripe.errors.StripeError)) return err;
  const details = { stripeType: err.type, stripeCode: err.code, stripeRequestId: err.requestId };
  if (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeRateLimitError ||
    // 5xx, and 409s (a lock timeout, the same key still in flight) that outlasted the SDK's retries.
    err instanceof Stripe.errors.StripeAPIError
  ) {
    return new DependencyUnavailable(`Stripe is unavailable: ${err.message}`, details);
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) return new InvalidInput(`Idempotency key reused with different parameters: ${err.message}`, details);
  if (err instanceof Stripe.errors.StripeInvalidRequestError) {
    if (err.code === 'resource_missing') return new NotFound(err.message, details);
    if (err.code === 'charge_already_refunded') return new Conflict(err.message, details);
    return new InvalidInput(err.message, details);
  }
  return err;
}
