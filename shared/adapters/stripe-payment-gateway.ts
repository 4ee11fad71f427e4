// The production payment gateway: Stripe Connect with separate charges and transfers. The buyer's PaymentIntent and
// every later transfer to a designer or printer share the order's transfer group; each call forwards our idempotency
// key to Stripe, which replays the first answer (a decline included) for a retry with the same key.
import Stripe from 'stripe';
import type { ChargeResult, ConnectedAccountStatus, DeclineCode, PaymentGateway, TransferMade } from '../payments/payment-gateway.js';
import { PaymentEvent, type DisputeFee } from '../payments/payment-events.js';
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

  async transfersOf(transferGroup: string): Promise<TransferMade[]> {
    try {
      const transfers = await this.stripe.transfers.list({ transfer_group: transferGroup, limit: 100 });
      return transfers.data.map((t) => ({
        transferId: t.id,
        destinationAccount: typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? ''),
        amountCents: t.amount,
        reversedCents: t.amount_reversed,
      }));
    } catch (err) {
      throw toDomainError(err);
    }
  }

  async reverseTransfer(input: Parameters<PaymentGateway['reverseTransfer']>[0]): Promise<{ reversalId: string }> {
    try {
      const reversal = await this.stripe.transfers.createReversal(input.transferId, { amount: input.amountCents }, { idempotencyKey: input.idempotencyKey });
      return { reversalId: reversal.id };
    } catch (err) {
      throw toDomainError(err);
    }
  }

  /**
   * Opens an Express connected account for a designer or operator; they finish onboarding on Stripe's hosted pages.
   * The same idempotency key returns the same account, so a retried sign-up never opens a second one. The user id
   * goes into the account's metadata, where `account.updated` events bring it back.
   */
  async createConnectedAccount(input: Parameters<PaymentGateway['createConnectedAccount']>[0]): Promise<{ accountId: string; status: ConnectedAccountStatus }> {
    try {
      const account = await this.stripe.accounts.create(
        {
          type: 'express',
          country: input.country,
          ...(input.email ? { email: input.email } : {}),
          // Separate charges and transfers: the platform takes the card payment, the account only receives transfers.
          capabilities: { transfers: { requested: true } },
          metadata: { userId: input.userId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { accountId: account.id, status: accountStatus(account) };
    } catch (err) {
      throw toDomainError(err);
    }
  }

  /** Account Links are single-use and expire within minutes, so each call makes a new one (no idempotency key). */
  async onboardingLink(input: Parameters<PaymentGateway['onboardingLink']>[0]): Promise<{ url: string; expiresAt: string }> {
    try {
      const link = await this.stripe.accountLinks.create({ account: input.accountId, refresh_url: input.refreshUrl, return_url: input.returnUrl, type: 'account_onboarding' });
      return { url: link.url, expiresAt: new Date(link.expires_at * 1000).toISOString() };
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

/**
 * Reads a Stripe webhook delivery: checks its signature against the endpoint's secret and translates the event into
 * the domain's PaymentEvent. The embedded platform signs its Stripe-shaped events the same way with its own secret.
 */
export class StripeWebhooks {
  private readonly secrets: string[];
  /**
   * `endpointSecrets`: one or more `whsec_…` separated by spaces. Stripe signs events of the platform account and
   * events of connected accounts (`account.updated`) through two endpoints with a secret each, both at this URL.
   */
  constructor(
    endpointSecrets: string,
    private readonly toleranceSeconds = 300,
  ) {
    this.secrets = endpointSecrets.split(/[\s,]+/).filter(Boolean);
    if (!this.secrets.length) throw new InvalidInput('A Stripe webhook endpoint needs its signing secret');
  }

  read(rawBody: string, signatureHeader: string | undefined, now?: Date): PaymentEvent {
    let refusal: unknown;
    for (const secret of this.secrets) {
      try {
        return paymentEventOf(verifyStripeWebhook(rawBody, signatureHeader ?? '', secret, this.toleranceSeconds, now));
      } catch (err) {
        if (!(err instanceof Unauthenticated)) throw err;
        refusal = err;
      }
    }
    throw refusal;
  }
}

/** The connected-account fields the platform acts on. */
export function accountStatus(account: Stripe.Account): ConnectedAccountStatus {
  const due = [...(account.requirements?.currently_due ?? []), ...(account.requirements?.past_due ?? [])];
  return {
    chargesEnabled: account.charges_enabled ?? false,
    payoutsEnabled: account.payouts_enabled ?? false,
    transfersActive: account.capabilities?.transfers === 'active',
    detailsSubmitted: account.details_submitted ?? false,
    requirementsDue: [...new Set(due)].sort(),
    ...(account.requirements?.disabled_reason ? { disabledReason: account.requirements.disabled_reason } : {}),
  };
}

const idOf = (x: string | { id: string } | null | undefined) => (typeof x === 'string' ? x : (x?.id ?? ''));

/**
 * The events the platform subscribes to, in the domain's words, checked against the contract (payment-events.ts).
 * Anything else is `ignored` (answered 200 so Stripe stops retrying). Deliberately not acted on:
 * `payment_intent.payment_failed` (charges are confirmed synchronously, so the charge step already has the answer) and
 * `transfer.reversed` (reversals are made by our own refund use case).
 */
export function paymentEventOf(event: Stripe.Event): PaymentEvent {
  const translated = translate(event);
  const checked = PaymentEvent.safeParse(translated);
  // Answered with an error, so Stripe delivers it again (after a fix) instead of the platform acting on half of it.
  if (!checked.success) throw new InvalidInput(`Stripe event ${event.id} (${event.type}) does not fit the payment event contract: ${checked.error.message}`);
  return checked.data;
}

function translate(event: Stripe.Event): PaymentEvent {
  const base = { eventId: event.id, occurredAt: new Date(event.created * 1000).toISOString() };
  switch (event.type) {
    case 'account.updated': {
      const account = event.data.object;
      return { ...base, kind: 'account-updated', accountId: account.id, ...(account.metadata?.userId ? { userId: account.metadata.userId } : {}), status: accountStatus(account) };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      return { ...base, kind: 'charge-refunded', chargeId: charge.id, ...(charge.transfer_group ? { orderId: charge.transfer_group } : {}), amountCents: charge.amount, refundedCents: charge.amount_refunded };
    }
    // Since API version 2024-10-28 every refund of a charge has these events; charge.refunded does not carry the
    // refund (its `refunds` list is no longer included), so a part refunded is told apart by these. A pending refund
    // (some payment methods) is booked when refund.updated reports it succeeded; a failed one never is.
    case 'refund.created':
    case 'refund.updated': {
      const refund = event.data.object;
      const chargeId = idOf(refund.charge);
      if (refund.status !== 'succeeded' || !chargeId) return { ...base, kind: 'ignored', providerType: `${event.type} (${refund.status ?? 'no status'}${chargeId ? '' : ', no charge'})` };
      return { ...base, kind: 'refund-succeeded', refundId: refund.id, chargeId, amountCents: refund.amount };
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      return { ...base, kind: 'dispute-opened', chargeId: idOf(dispute.charge), disputeId: dispute.id, amountCents: dispute.amount, reason: dispute.reason, fees: disputeFees(dispute) };
    }
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated': {
      const dispute = event.data.object;
      const movement = event.type === 'charge.dispute.funds_withdrawn' ? 'withdrawn' : 'reinstated';
      return { ...base, kind: 'dispute-funds-moved', chargeId: idOf(dispute.charge), disputeId: dispute.id, movement, fees: disputeFees(dispute) };
    }
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const outcome = dispute.status === 'won' ? 'won' : dispute.status === 'lost' ? 'lost' : 'other';
      return { ...base, kind: 'dispute-closed', chargeId: idOf(dispute.charge), disputeId: dispute.id, outcome, fees: disputeFees(dispute) };
    }
    default:
      return { ...base, kind: 'ignored', providerType: event.type };
  }
}

/**
 * Stripe's fee on each movement of a dispute's funds: the withdrawal's balance transaction carries the dispute fee
 * (e.g. 1500 cents in the EU), a reinstatement after a dispute won carries it back as a negative fee, or none where
 * Stripe keeps it. Absent from a dispute Stripe has not moved money for yet (an inquiry).
 */
function disputeFees(dispute: Stripe.Dispute): DisputeFee[] {
  return (dispute.balance_transactions ?? []).filter((t) => t.fee !== 0).map((t) => ({ balanceTransactionId: t.id, feeCents: t.fee }));
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
