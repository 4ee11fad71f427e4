// The Stripe gateway through the real stripe SDK, whose HTTP goes to a fake Stripe API in this file: it records every
// request (method, path, form body, Idempotency-Key) and, like Stripe, replays the stored answer for a reused key.
import Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { PaymentNotCompleted, StripePaymentGateway, StripeWebhooks, verifyStripeWebhook } from '../../../shared/adapters/stripe-payment-gateway.js';
import { Conflict, DependencyUnavailable, InvalidInput, NotFound, RuleViolation, Unauthenticated } from '../../../shared/errors.js';

type Recorded = { method: string; path: string; body: Record<string, string>; idempotencyKey: string | null };
type Answer = { status: number; body: unknown };
type Fault = 'connection' | 'server';

/** Stripe's documented test PaymentMethods, as the API answers them. */
const cardErrors: Record<string, { code: string; decline_code?: string; message: string }> = {
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
  pm_card_chargeDeclinedIncorrectNumber: { code: 'incorrect_number', message: 'Your card number is incorrect.' },
  pm_card_chargeDeclinedProcessingError: { code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
};

class FakeStripeApi {
  readonly requests: Recorded[] = [];
  readonly faults: Fault[] = [];
  private readonly byKey = new Map<string, { body: string; answer: Answer }>();
  private readonly charges: { id: string; object: 'charge'; amount: number; currency: string; status: string; transfer_group: string | null }[] = [];
  readonly transfers: { id: string; object: 'transfer'; amount: number; amount_reversed: number; currency: string; destination: string; transfer_group: string; source_transaction: string }[] = [];
  private seq = 0;

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const raw = typeof init?.body === 'string' ? init.body : '';
    const idempotencyKey = new Headers(init?.headers).get('Idempotency-Key');
    this.requests.push({ method, path: url.pathname + url.search, body: Object.fromEntries(new URLSearchParams(raw)), idempotencyKey });
    const fault = this.faults.shift();
    if (fault === 'connection') throw new TypeError('fetch failed');
    if (fault === 'server') return json({ status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
    if (method === 'POST' && idempotencyKey) {
      const first = this.byKey.get(idempotencyKey);
      if (first && first.body !== raw) {
        return json({ status: 400, body: { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with.` } } });
      }
      if (first) return json(first.answer);
      const answer = this.answer(method, url, new URLSearchParams(raw));
      this.byKey.set(idempotencyKey, { body: raw, answer });
      return json(answer);
    }
    return json(this.answer(method, url, new URLSearchParams(raw)));
  };

  private id(prefix: string): string {
    return `${prefix}_${++this.seq}`;
  }

  private answer(method: string, url: URL, form: URLSearchParams): Answer {
    const route = `${method} ${url.pathname}`;
    const amount = Number(form.get('amount'));
    if (route === 'POST /v1/payment_intents') {
      const pm = form.get('payment_method') ?? '';
      const intent = { id: this.id('pi'), object: 'payment_intent', amount, amount_received: 0, currency: form.get('currency'), transfer_group: form.get('transfer_group'), status: 'succeeded', latest_charge: null as string | null };
      const cardError = cardErrors[pm];
      if (cardError) {
        const charge = { id: this.id('ch'), object: 'charge' as const, amount, currency: form.get('currency')!, status: 'failed', transfer_group: form.get('transfer_group') };
        this.charges.push(charge);
        return { status: 402, body: { error: { type: 'card_error', ...cardError, charge: charge.id, payment_intent: { ...intent, status: 'requires_payment_method', latest_charge: charge.id } } } };
      }
      if (pm === 'pm_card_authenticationRequired') return { status: 200, body: { ...intent, status: 'requires_action' } };
      if (pm !== 'pm_card_visa') return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${pm}'` } } };
      const charge = { id: this.id('ch'), object: 'charge' as const, amount, currency: form.get('currency')!, status: 'succeeded', transfer_group: form.get('transfer_group') };
      this.charges.push(charge);
      return { status: 200, body: { ...intent, amount_received: amount, latest_charge: charge.id } };
    }
    if (route === 'GET /v1/charges') {
      const data = this.charges.filter((c) => c.transfer_group === url.searchParams.get('transfer_group')).reverse();
      return { status: 200, body: { object: 'list', url: '/v1/charges', has_more: false, data } };
    }
    if (route === 'POST /v1/transfers') {
      const source = this.charges.find((c) => c.id === form.get('source_transaction'));
      if (!source) return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'source_transaction', message: 'No such charge' } } };
      const transfer = { id: this.id('tr'), object: 'transfer' as const, amount, amount_reversed: 0, currency: form.get('currency')!, destination: form.get('destination')!, transfer_group: form.get('transfer_group')!, source_transaction: source.id };
      this.transfers.push(transfer);
      return { status: 200, body: transfer };
    }
    if (route === 'GET /v1/transfers') {
      const data = this.transfers.filter((t) => t.transfer_group === url.searchParams.get('transfer_group')).reverse();
      return { status: 200, body: { object: 'list', url: '/v1/transfers', has_more: false, data } };
    }
    const reversal = /^POST \/v1\/transfers\/([^/]+)\/reversals$/.exec(route);
    if (reversal) {
      const transfer = this.transfers.find((t) => t.id === reversal[1]);
      if (!transfer) return { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such transfer: '${reversal[1]}'` } } };
      const amountToReverse = form.has('amount') ? amount : transfer.amount - transfer.amount_reversed;
      if (amountToReverse > transfer.amount - transfer.amount_reversed) return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Amount exceeds what is left to reverse' } } };
      transfer.amount_reversed += amountToReverse;
      return { status: 200, body: { id: this.id('trr'), object: 'transfer_reversal', amount: amountToReverse, transfer: transfer.id } };
    }
    if (route === 'POST /v1/account_links') {
      return { status: 200, body: { object: 'account_link', url: `https://connect.stripe.com/setup/e/${form.get('account')}/abc`, created: 1_764_633_600, expires_at: 1_764_633_900 } };
    }
    if (route === 'POST /v1/refunds') {
      const charge = this.charges.find((c) => c.id === form.get('charge'));
      if (!charge) return { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'charge', message: `No such charge: '${form.get('charge')}'` } } };
      return { status: 200, body: { id: this.id('re'), object: 'refund', amount, charge: charge.id, status: 'succeeded' } };
    }
    if (route === 'POST /v1/accounts') {
      // A new Express account: nothing submitted yet, Stripe's usual first requirements due.
      return {
        status: 200,
        body: {
          id: this.id('acct'),
          object: 'account',
          type: form.get('type'),
          email: form.get('email'),
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: false,
          capabilities: { transfers: 'inactive' },
          requirements: { currently_due: ['tos_acceptance.date', 'external_account', 'business_type'], past_due: [], disabled_reason: 'requirements.past_due' },
          metadata: { userId: form.get('metadata[userId]') },
        },
      };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${route})` } } };
  }
}

function json(answer: Answer): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', 'request-id': 'req_test' } });
}

function stripeOver(api: FakeStripeApi, maxNetworkRetries = 0): Stripe {
  return new Stripe('sk_test_x', { httpClient: Stripe.createFetchHttpClient(api.fetch), maxNetworkRetries, telemetry: false });
}

const order = { currency: 'eur' as const, transferGroup: 'order_42' };

describe('StripePaymentGateway', () => {
  let api: FakeStripeApi;
  let gateway: StripePaymentGateway;
  beforeEach(() => {
    api = new FakeStripeApi();
    gateway = new StripePaymentGateway(stripeOver(api));
  });

  it('confirms a card PaymentIntent in the transfer group under our idempotency key, and answers its charge', async () => {
    const result = await gateway.charge({ ...order, amountCents: 4_990, paymentMethod: 'pm_card_visa', idempotencyKey: 'order_42:charge' });

    expect(result).toEqual({ status: 'succeeded', chargeId: 'ch_2', amountCents: 4_990 });
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/payment_intents',
        idempotencyKey: 'order_42:charge',
        body: {
          amount: '4990',
          currency: 'eur',
          payment_method: 'pm_card_visa',
          'allowed_payment_method_types[0]': 'card',
          confirm: 'true',
          transfer_group: 'order_42',
        },
      },
    ]);
  });

  it('sends a retried charge with the same Idempotency-Key, so Stripe replays it and the buyer pays once', async () => {
    const input = { ...order, amountCents: 4_990, paymentMethod: 'pm_card_visa', idempotencyKey: 'order_42:charge' };
    const first = await gateway.charge(input);
    const again = await gateway.charge(input);

    expect(again).toEqual(first);
    expect(api.requests.map((r) => r.idempotencyKey)).toEqual(['order_42:charge', 'order_42:charge']);
    // The fake created one charge only (a second key would have made a second one, and the transfer a Conflict).
    await expect(gateway.transfer({ destinationAccount: 'acct_designer', amountCents: 1_000, transferGroup: 'order_42', idempotencyKey: 't1' })).resolves.toEqual({ transferId: expect.stringMatching(/^tr_/) });
  });

  it('resends the same Idempotency-Key when the SDK retries a dropped connection', async () => {
    gateway = new StripePaymentGateway(stripeOver(api, 1));
    api.faults.push('connection');

    const result = await gateway.charge({ ...order, amountCents: 2_500, paymentMethod: 'pm_card_visa', idempotencyKey: 'order_7:charge' });

    expect(result.status).toBe('succeeded');
    expect(api.requests).toHaveLength(2);
    expect(api.requests[1]).toEqual(api.requests[0]);
    expect(api.requests[1]!.idempotencyKey).toBe('order_7:charge');
  });

  it('refuses a key reused with different parameters, as Stripe does', async () => {
    await gateway.charge({ ...order, amountCents: 4_990, paymentMethod: 'pm_card_visa', idempotencyKey: 'k' });
    await expect(gateway.charge({ ...order, amountCents: 5_990, paymentMethod: 'pm_card_visa', idempotencyKey: 'k' })).rejects.toBeInstanceOf(InvalidInput);
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'Your card was declined.'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds.'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'Your card has expired.'],
    ['pm_card_chargeDeclinedIncorrectNumber', 'incorrect_number', 'Your card number is incorrect.'],
    ['pm_card_chargeDeclinedProcessingError', 'card_declined', 'An error occurred while processing your card. Try again in a little bit.'],
  ])('answers the 402 card error of %s as a %s decline', async (paymentMethod, code, message) => {
    const result = await gateway.charge({ ...order, amountCents: 4_990, paymentMethod, idempotencyKey: `decline:${paymentMethod}` });
    expect(result).toEqual({ status: 'declined', code, message });
  });

  it('replays a decline for the same key instead of trying the card again', async () => {
    const input = { ...order, amountCents: 4_990, paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds', idempotencyKey: 'order_9:charge' };
    expect(await gateway.charge(input)).toEqual(await gateway.charge(input));
    expect(api.requests.map((r) => r.idempotencyKey)).toEqual(['order_9:charge', 'order_9:charge']);
  });

  it('reports a PaymentIntent left in requires_action as PaymentNotCompleted, naming it', async () => {
    const charging = gateway.charge({ ...order, amountCents: 4_990, paymentMethod: 'pm_card_authenticationRequired', idempotencyKey: 'k3ds' });
    await expect(charging).rejects.toBeInstanceOf(PaymentNotCompleted);
    await expect(charging).rejects.toBeInstanceOf(RuleViolation);
    await expect(charging).rejects.toMatchObject({ details: { paymentIntentId: 'pi_1', status: 'requires_action' } });
  });

  it('turns a Stripe 500 and an unreachable Stripe into DependencyUnavailable', async () => {
    api.faults.push('server');
    await expect(gateway.charge({ ...order, amountCents: 4_990, paymentMethod: 'pm_card_visa', idempotencyKey: 'a' })).rejects.toBeInstanceOf(DependencyUnavailable);
    api.faults.push('connection');
    await expect(gateway.refund({ chargeId: 'ch_1', amountCents: 100, idempotencyKey: 'b' })).rejects.toBeInstanceOf(DependencyUnavailable);
    api.faults.push('server');
    await expect(gateway.transfer({ destinationAccount: 'acct_1', amountCents: 100, transferGroup: 'order_42', idempotencyKey: 'c' })).rejects.toBeInstanceOf(DependencyUnavailable);
  });

  it('refuses an amount Stripe would refuse before calling it, and maps an unknown payment method to NotFound', async () => {
    await expect(gateway.charge({ ...order, amountCents: 49, paymentMethod: 'pm_card_visa', idempotencyKey: 'x' })).rejects.toBeInstanceOf(InvalidInput);
    await expect(gateway.charge({ ...order, amountCents: 49.5, paymentMethod: 'pm_card_visa', idempotencyKey: 'y' })).rejects.toBeInstanceOf(InvalidInput);
    expect(api.requests).toEqual([]);
    await expect(gateway.charge({ ...order, amountCents: 500, paymentMethod: 'pm_nope', idempotencyKey: 'z' })).rejects.toBeInstanceOf(NotFound);
  });

  it('transfers to the connected account out of the group charge (source_transaction), in the same transfer group', async () => {
    const charge = await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_visa', idempotencyKey: 'order_42:charge' });
    if (charge.status !== 'succeeded') throw new Error('expected a charge');
    api.requests.length = 0;

    const { transferId } = await gateway.transfer({ destinationAccount: 'acct_printer', amountCents: 6_500, transferGroup: 'order_42', idempotencyKey: 'order_42:transfer:printer' });

    expect(transferId).toMatch(/^tr_/);
    expect(api.requests).toEqual([
      { method: 'GET', path: '/v1/charges?transfer_group=order_42&limit=100', body: {}, idempotencyKey: null },
      {
        method: 'POST',
        path: '/v1/transfers',
        idempotencyKey: 'order_42:transfer:printer',
        body: { amount: '6500', currency: 'eur', destination: 'acct_printer', transfer_group: 'order_42', source_transaction: charge.chargeId },
      },
    ]);
  });

  it('picks the succeeded charge of the group over a declined attempt, and refuses a group with none', async () => {
    await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_chargeDeclined', idempotencyKey: 'attempt1' });
    await expect(gateway.transfer({ destinationAccount: 'acct_d', amountCents: 100, transferGroup: 'order_42', idempotencyKey: 't0' })).rejects.toBeInstanceOf(RuleViolation);
    const paid = await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_visa', idempotencyKey: 'attempt2' });
    if (paid.status !== 'succeeded') throw new Error('expected a charge');

    await gateway.transfer({ destinationAccount: 'acct_d', amountCents: 100, transferGroup: 'order_42', idempotencyKey: 't1' });

    expect(api.requests.at(-1)!.body.source_transaction).toBe(paid.chargeId);
  });

  it('refuses to guess between two succeeded charges of one group', async () => {
    await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_visa', idempotencyKey: 'one' });
    await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_visa', idempotencyKey: 'two' });
    await expect(gateway.transfer({ destinationAccount: 'acct_d', amountCents: 100, transferGroup: 'order_42', idempotencyKey: 't' })).rejects.toBeInstanceOf(Conflict);
    expect(api.requests.filter((r) => r.path === '/v1/transfers')).toEqual([]);
  });

  it('refunds the charge under our idempotency key; an unknown charge is NotFound', async () => {
    const charge = await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_visa', idempotencyKey: 'c' });
    if (charge.status !== 'succeeded') throw new Error('expected a charge');

    const { refundId } = await gateway.refund({ chargeId: charge.chargeId, amountCents: 2_000, idempotencyKey: 'order_42:refund' });

    expect(refundId).toMatch(/^re_/);
    expect(api.requests.at(-1)).toEqual({ method: 'POST', path: '/v1/refunds', idempotencyKey: 'order_42:refund', body: { charge: charge.chargeId, amount: '2000' } });
    await expect(gateway.refund({ chargeId: 'ch_missing', amountCents: 1, idempotencyKey: 'r2' })).rejects.toBeInstanceOf(NotFound);
  });
});

describe('connected accounts', () => {
  it('opens an Express account that can receive transfers, once per idempotency key, and reports what it still needs', async () => {
    const api = new FakeStripeApi();
    const gateway = new StripePaymentGateway(stripeOver(api));
    const input = { userId: 'user_1', email: 'printer@example.com', country: 'FR', idempotencyKey: 'payout-account:user_1' };

    const first = await gateway.createConnectedAccount(input);
    const again = await gateway.createConnectedAccount(input);

    expect(again).toEqual(first);
    expect(first).toEqual({
      accountId: expect.stringMatching(/^acct_/),
      status: { chargesEnabled: false, payoutsEnabled: false, transfersActive: false, detailsSubmitted: false, requirementsDue: ['business_type', 'external_account', 'tos_acceptance.date'], disabledReason: 'requirements.past_due' },
    });
    expect(api.requests[0]).toEqual({
      method: 'POST',
      path: '/v1/accounts',
      idempotencyKey: 'payout-account:user_1',
      body: { type: 'express', country: 'FR', email: 'printer@example.com', 'capabilities[transfers][requested]': 'true', 'metadata[userId]': 'user_1' },
    });
    expect(api.requests[1]!.idempotencyKey).toBe('payout-account:user_1');
  });

  it('makes an account_onboarding Account Link with our return and refresh URLs', async () => {
    const api = new FakeStripeApi();
    const gateway = new StripePaymentGateway(stripeOver(api));

    const link = await gateway.onboardingLink({ accountId: 'acct_9', returnUrl: 'https://dpm.example.com/payouts/onboarding/return', refreshUrl: 'https://dpm.example.com/payouts/onboarding/refresh' });

    expect(link).toEqual({ url: 'https://connect.stripe.com/setup/e/acct_9/abc', expiresAt: '2025-12-02T00:05:00.000Z' });
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/account_links',
        idempotencyKey: expect.any(String),
        body: { account: 'acct_9', refresh_url: 'https://dpm.example.com/payouts/onboarding/refresh', return_url: 'https://dpm.example.com/payouts/onboarding/return', type: 'account_onboarding' },
      },
    ]);
  });
});

describe('transfer reversals', () => {
  it('lists the transfers of a group and reverses what is left of each under our idempotency key', async () => {
    const api = new FakeStripeApi();
    const gateway = new StripePaymentGateway(stripeOver(api));
    await gateway.charge({ ...order, amountCents: 10_000, paymentMethod: 'pm_card_visa', idempotencyKey: 'order_42:escrow' });
    const royalty = await gateway.transfer({ destinationAccount: 'acct_designer', amountCents: 500, transferGroup: 'order_42', idempotencyKey: 'order_42:royalty' });
    await gateway.transfer({ destinationAccount: 'acct_printer', amountCents: 6_500, transferGroup: 'order_42', idempotencyKey: 'order_42:printing-fee' });

    const reversal = await gateway.reverseTransfer({ transferId: royalty.transferId, amountCents: 500, idempotencyKey: `order_42:reversal:${royalty.transferId}` });
    const replayed = await gateway.reverseTransfer({ transferId: royalty.transferId, amountCents: 500, idempotencyKey: `order_42:reversal:${royalty.transferId}` });

    expect(replayed).toEqual(reversal);
    expect(api.requests.at(-1)).toEqual({ method: 'POST', path: `/v1/transfers/${royalty.transferId}/reversals`, idempotencyKey: `order_42:reversal:${royalty.transferId}`, body: { amount: '500' } });
    expect(await gateway.transfersOf('order_42')).toEqual([
      { transferId: expect.stringMatching(/^tr_/), destinationAccount: 'acct_printer', amountCents: 6_500, reversedCents: 0 },
      { transferId: royalty.transferId, destinationAccount: 'acct_designer', amountCents: 500, reversedCents: 500 },
    ]);
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/transfers?transfer_group=order_42&limit=100' });
    await expect(gateway.reverseTransfer({ transferId: 'tr_missing', amountCents: 1, idempotencyKey: 'x' })).rejects.toBeInstanceOf(NotFound);
  });
});

describe('verifyStripeWebhook', () => {
  const secret = 'whsec_test_secret';
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } });

  it('returns the event of a correctly signed body, given as a string or as a Buffer', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(verifyStripeWebhook(payload, header, secret)).toMatchObject({ id: 'evt_1', type: 'payment_intent.succeeded' });
    expect(verifyStripeWebhook(Buffer.from(payload), header, secret).id).toBe('evt_1');
  });

  it('rejects a tampered body, a wrong secret and a missing signature as Unauthenticated', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(() => verifyStripeWebhook(payload.replace('pi_1', 'pi_2'), header, secret)).toThrow(Unauthenticated);
    expect(() => verifyStripeWebhook(payload, header, 'whsec_other')).toThrow(Unauthenticated);
    expect(() => verifyStripeWebhook(payload, '', secret)).toThrow(Unauthenticated);
  });

  it('rejects a replay older than the tolerance, measured on the given clock', () => {
    const signedAt = Math.floor(Date.now() / 1000) - 600;
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: signedAt });
    expect(() => verifyStripeWebhook(payload, header, secret)).toThrow(Unauthenticated);
    expect(() => verifyStripeWebhook(payload, header, secret, 300)).toThrow(/tolerance/);
    expect(verifyStripeWebhook(payload, header, secret, 900).id).toBe('evt_1');
    expect(verifyStripeWebhook(payload, header, secret, 300, new Date((signedAt + 60) * 1000)).id).toBe('evt_1');
  });

  it('refuses a tolerance of 0, which Stripe would read as no timestamp check at all', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: 1 });
    expect(() => verifyStripeWebhook(payload, header, secret, 0)).toThrow(InvalidInput);
  });
});

describe('StripeWebhooks', () => {
  const secret = 'whsec_endpoint';
  const webhooks = new StripeWebhooks(secret);
  const created = 1_764_633_600;
  const deliver = (type: string, object: Record<string, unknown>, id = 'evt_1') => {
    const payload = JSON.stringify({ id, object: 'event', type, created, api_version: '2025-10-29.clover', livemode: false, data: { object } });
    return webhooks.read(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret }));
  };
  const at = new Date(created * 1000).toISOString();

  it('maps account.updated to the account’s status, with the user from its metadata', () => {
    const account = {
      id: 'acct_7',
      object: 'account',
      charges_enabled: false,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { transfers: 'active' },
      requirements: { currently_due: [], past_due: [], disabled_reason: null },
      metadata: { userId: 'user_7' },
    };
    expect(deliver('account.updated', account)).toEqual({
      eventId: 'evt_1',
      occurredAt: at,
      kind: 'account-updated',
      accountId: 'acct_7',
      userId: 'user_7',
      status: { chargesEnabled: false, payoutsEnabled: true, transfersActive: true, detailsSubmitted: true, requirementsDue: [] },
    });
  });

  it('maps charge.refunded with the charge’s transfer group as the order, and disputes with their charge', () => {
    expect(deliver('charge.refunded', { id: 'ch_1', object: 'charge', amount: 2_500, amount_refunded: 2_500, transfer_group: 'ord_1' })).toEqual({
      eventId: 'evt_1',
      occurredAt: at,
      kind: 'charge-refunded',
      chargeId: 'ch_1',
      orderId: 'ord_1',
      amountCents: 2_500,
      refundedCents: 2_500,
    });
    expect(deliver('charge.dispute.created', { id: 'dp_1', object: 'dispute', charge: 'ch_1', amount: 2_500, reason: 'fraudulent', status: 'needs_response' })).toEqual({
      eventId: 'evt_1',
      occurredAt: at,
      kind: 'dispute-opened',
      chargeId: 'ch_1',
      disputeId: 'dp_1',
      amountCents: 2_500,
      reason: 'fraudulent',
      fees: [],
    });
    expect(deliver('charge.dispute.closed', { id: 'dp_1', object: 'dispute', charge: 'ch_1', amount: 2_500, reason: 'fraudulent', status: 'lost' })).toMatchObject({ kind: 'dispute-closed', outcome: 'lost' });
    expect(deliver('charge.dispute.closed', { id: 'dp_1', object: 'dispute', charge: 'ch_1', amount: 2_500, reason: 'fraudulent', status: 'won' })).toMatchObject({ kind: 'dispute-closed', outcome: 'won' });
  });

  it('maps a succeeded refund of a charge, with its id, and names a pending or failed one as ignored', () => {
    const refund = { id: 're_1', object: 'refund', amount: 700, charge: 'ch_1', currency: 'eur', status: 'succeeded' };
    const expected = { eventId: 'evt_1', occurredAt: at, kind: 'refund-succeeded', refundId: 're_1', chargeId: 'ch_1', amountCents: 700 };
    expect(deliver('refund.created', refund)).toEqual(expected);
    // A refund that was pending when created is booked when it succeeds.
    expect(deliver('refund.updated', refund)).toEqual(expected);
    expect(deliver('refund.created', { ...refund, status: 'pending' })).toEqual({ eventId: 'evt_1', occurredAt: at, kind: 'ignored', providerType: 'refund.created (pending)' });
    expect(deliver('refund.updated', { ...refund, status: 'failed' })).toMatchObject({ kind: 'ignored', providerType: 'refund.updated (failed)' });
  });

  it('carries Stripe’s dispute fee from the dispute’s balance transactions: withdrawn with the funds, given back on a win', () => {
    // As Stripe reports them: the withdrawal takes the disputed amount and the fee; the reinstatement returns both.
    const withdrawal = { id: 'txn_w', object: 'balance_transaction', amount: -2_500, fee: 1_500, net: -4_000, currency: 'eur', type: 'adjustment', reporting_category: 'dispute' };
    const reinstatement = { id: 'txn_r', object: 'balance_transaction', amount: 2_500, fee: -1_500, net: 4_000, currency: 'eur', type: 'adjustment', reporting_category: 'dispute_reversal' };
    const dispute = { id: 'dp_1', object: 'dispute', charge: 'ch_1', amount: 2_500, reason: 'fraudulent', status: 'needs_response', balance_transactions: [withdrawal] };
    expect(deliver('charge.dispute.created', dispute)).toMatchObject({ kind: 'dispute-opened', fees: [{ balanceTransactionId: 'txn_w', feeCents: 1_500 }] });
    expect(deliver('charge.dispute.funds_withdrawn', dispute)).toEqual({
      eventId: 'evt_1',
      occurredAt: at,
      kind: 'dispute-funds-moved',
      chargeId: 'ch_1',
      disputeId: 'dp_1',
      movement: 'withdrawn',
      fees: [{ balanceTransactionId: 'txn_w', feeCents: 1_500 }],
    });
    const won = { ...dispute, status: 'won', balance_transactions: [withdrawal, reinstatement] };
    const fees = [
      { balanceTransactionId: 'txn_w', feeCents: 1_500 },
      { balanceTransactionId: 'txn_r', feeCents: -1_500 },
    ];
    expect(deliver('charge.dispute.funds_reinstated', won)).toMatchObject({ kind: 'dispute-funds-moved', movement: 'reinstated', fees });
    expect(deliver('charge.dispute.closed', won)).toMatchObject({ kind: 'dispute-closed', outcome: 'won', fees });
    // Where Stripe keeps the fee on a win, the reinstatement carries none, and nothing comes back.
    expect(deliver('charge.dispute.closed', { ...won, balance_transactions: [withdrawal, { ...reinstatement, fee: 0, net: 2_500 }] })).toMatchObject({ fees: [fees[0]] });
  });

  it('refuses an event that does not fit the contract, so Stripe delivers it again instead of the platform acting on half of it', () => {
    expect(() => deliver('refund.created', { id: 're_0', object: 'refund', amount: 0, charge: 'ch_1', status: 'succeeded' })).toThrow(InvalidInput);
    expect(() => deliver('charge.dispute.created', { id: 'dp_2', object: 'dispute', charge: 'ch_1', amount: 2_500, reason: 'fraudulent', balance_transactions: [{ id: 'txn_x', fee: 1.5 }] })).toThrow(InvalidInput);
  });

  it('names the events it does not act on, and refuses a delivery not signed with the endpoint secret', () => {
    expect(deliver('payment_intent.payment_failed', { id: 'pi_1', object: 'payment_intent' })).toEqual({ eventId: 'evt_1', occurredAt: at, kind: 'ignored', providerType: 'payment_intent.payment_failed' });
    const payload = JSON.stringify({ id: 'evt_2', object: 'event', type: 'charge.refunded', created, data: { object: {} } });
    expect(() => webhooks.read(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' }))).toThrow(Unauthenticated);
    expect(() => webhooks.read(payload, undefined)).toThrow(Unauthenticated);
  });

  it('accepts a delivery signed by either endpoint of the URL (the platform’s events and the connected accounts’)', () => {
    const both = new StripeWebhooks('whsec_platform whsec_connect');
    const payload = JSON.stringify({ id: 'evt_3', object: 'event', type: 'customer.created', created, data: { object: {} } });
    for (const s of ['whsec_platform', 'whsec_connect']) expect(both.read(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: s })).eventId).toBe('evt_3');
    expect(() => both.read(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' }))).toThrow(Unauthenticated);
  });
});
