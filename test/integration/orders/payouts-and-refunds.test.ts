// Payout accounts, releases, refunds and Stripe-shaped webhook events on DynamoDB Local, with the local payment
// gateway: a share goes to a ready connected account or stays owed until `account.updated` says it is ready; a refund
// after the release reverses every transfer of the order and every posting, so the order's books come back to zero;
// a re-delivered event changes nothing. Events are signed with the Stripe SDK and read by the same reader as in AWS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbBooks } from '../../../shared/adapters/dynamodb-books.js';
import { DynamoDbNotifications } from '../../../shared/adapters/dynamodb-notifications.js';
import { DynamoDbOrderStore } from '../../../shared/adapters/dynamodb-order-store.js';
import { DynamoDbHandledEvents, DynamoDbPayoutAccounts } from '../../../shared/adapters/dynamodb-payout-accounts.js';
import { LocalPaymentGateway } from '../../../shared/adapters/local-payment-gateway.js';
import { StripeWebhooks } from '../../../shared/adapters/stripe-payment-gateway.js';
import { Conflict } from '../../../shared/errors.js';
import type { Order } from '../../../shared/orders/order.js';
import { chargeEscrow, refundOrder, releaseEscrow } from '../../../shared/orders/order-steps.js';
import { refundDeliveredOrder, releaseSplit } from '../../../shared/orders/refunds.js';
import { handlePaymentEvent } from '../../../shared/payments/handle-payment-event.js';
import type { ConnectedAccountStatus, PaymentGateway } from '../../../shared/payments/payment-gateway.js';
import { getPayoutAccount, openPayoutAccount } from '../../../shared/payments/payout-accounts.js';
import { paymentHistory, releaseEntry, type Books } from '../../../shared/payments/accounting.js';
import type { Printer } from '../../../shared/printers/printer.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import { countingClient } from '../../support/counting-dynamodb.js';

const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const table = `payouts-${randomUUID()}`;
const secret = 'whsec_integration';

let tick = Date.parse('2026-12-01T10:00:00Z');
const now = () => new Date((tick += 1000));

const orders = new DynamoDbOrderStore(dynamo, table);
const books = new DynamoDbBooks(dynamo, table);
const gateway = new LocalPaymentGateway(dynamo, table, now);
const payoutAccounts = new DynamoDbPayoutAccounts(dynamo, table);
const handledEvents = new DynamoDbHandledEvents(dynamo, table);
const notifications = new DynamoDbNotifications(dynamo, table);
const webhooks = new StripeWebhooks(secret);

/** Printers are not under test here: one printer per operator, in memory. */
const printerList: Printer[] = [];
const printers: PrinterStore = {
  get: async (id) => printerList.find((p) => p.printerId === id),
  listByOperator: async (op) => printerList.filter((p) => p.operatorId === op),
  list: async () => printerList,
  create: async () => true,
  save: async () => true,
};
const published: unknown[] = [];
const released: string[] = [];

/** Counts what reaches the gateway, so a test can tell that a replay moved no money. */
function counting(inner: PaymentGateway) {
  const calls: string[] = [];
  const wrapped: PaymentGateway = {
    charge: (i) => (calls.push('charge'), inner.charge(i)),
    refund: (i) => (calls.push('refund'), inner.refund(i)),
    transfer: (i) => (calls.push(`transfer:${i.destinationAccount}`), inner.transfer(i)),
    transfersOf: (g) => inner.transfersOf(g),
    reverseTransfer: (i) => (calls.push(`reverse:${i.transferId}`), inner.reverseTransfer(i)),
    createConnectedAccount: (i) => (calls.push('account'), inner.createConnectedAccount(i)),
    onboardingLink: (i) => inner.onboardingLink(i),
  };
  return { gateway: wrapped, calls };
}

function depsWith(payments: PaymentGateway) {
  return {
    orders,
    books,
    payments,
    payoutAccounts,
    handledEvents,
    notifications,
    printers,
    events: { publish: async (e: unknown) => void published.push(e) },
    licenses: { reserve: async () => ({ outcome: 'not-listed' as const, designId: '' }), release: async (i: { orderId: string }) => void released.push(i.orderId) },
    now,
  };
}

const hex = (n: number) => randomBytes(n).toString('hex');

/** A participant: a designer or an operator with one printer. */
function operator(): { userId: string; printerId: string } {
  const userId = `op-${hex(4)}`;
  const printerId = `printer-${hex(4)}`;
  printerList.push({ printerId, operatorId: userId } as Printer);
  return { userId, printerId };
}

/** An order charged into escrow by the real step, then printed and shipped (its product made by `printerId`). */
async function shippedOrder(designerId: string, printerId: string): Promise<Order> {
  const orderId = `ord_${hex(12)}`;
  const at = now().toISOString();
  const order: Order = {
    orderId,
    customerId: `cust-${hex(4)}`,
    designId: `des-${hex(4)}`,
    designerId,
    material: 'PLA',
    licenseVersion: 1,
    quote: { currency: 'eur', designPriceCents: 1200, printingFeeCents: 2000, commissionCents: 320, shippingCents: 490, totalCents: 4010, estimate: { printSeconds: 3600, grams: 20 } },
    royaltyCents: 500,
    paymentMethod: 'pm_card_visa',
    deliverTo: { sealed: 'c2VhbGVkIGFkZHJlc3M=' },
    status: 'licensed',
    printNumber: 1,
    attempts: [],
    createdAt: at,
    updatedAt: at,
    revision: 1,
  };
  expect(await orders.create(order)).toBe(true);
  await chargeEscrow({ orderId }, depsWith(gateway));
  const paid = (await orders.get(orderId))!;
  const shipped: Order = { ...paid, status: 'shipped', product: { productId: `prd_${orderId.slice(4)}`, gcodeSha256: 'g', printerId, materialLot: 'lot', printParamsHash: 'p' }, revision: paid.revision + 1 };
  expect(await orders.save(shipped, paid.revision)).toBe(true);
  return shipped;
}

/** Stripe's event envelope around `object`, signed for the endpoint as Stripe signs it. */
function delivery(type: string, object: Record<string, unknown>, opts: { id?: string; created?: number } = {}) {
  const payload = JSON.stringify({ id: opts.id ?? `evt_${hex(8)}`, object: 'event', type, created: opts.created ?? Math.floor(tick / 1000), livemode: false, data: { object } });
  return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret }) };
}

function accountObject(accountId: string, userId: string, status: ConnectedAccountStatus) {
  return {
    id: accountId,
    object: 'account',
    charges_enabled: status.chargesEnabled,
    payouts_enabled: status.payoutsEnabled,
    details_submitted: status.detailsSubmitted,
    capabilities: { transfers: status.transfersActive ? 'active' : 'inactive' },
    requirements: { currently_due: status.requirementsDue, past_due: [], disabled_reason: status.disabledReason ?? null },
    metadata: { userId },
  };
}

const pending: ConnectedAccountStatus = { chargesEnabled: false, payoutsEnabled: false, transfersActive: false, detailsSubmitted: false, requirementsDue: ['external_account'] };
const ready: ConnectedAccountStatus = { chargesEnabled: false, payoutsEnabled: true, transfersActive: true, detailsSubmitted: true, requirementsDue: [] };

/** A connected account in the given state, known since long ago (so any account.updated event is newer). */
const payoutAccount = (userId: string, accountId: string, status: ConnectedAccountStatus) =>
  payoutAccounts.create({ userId, accountId, country: 'FR', status, statusAt: new Date(0).toISOString(), createdAt: now().toISOString() });

/** Every account's postings for the order, summed: after a full refund each one is back at zero. */
async function orderBalances(orderId: string): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const e of await books.entries(orderId)) {
    expect(e.postings.reduce((n, p) => n + p.amountCents, 0), `entry ${e.step} balances`).toBe(0);
    for (const p of e.postings) sums[p.account] = (sums[p.account] ?? 0) + p.amountCents;
  }
  return sums;
}

describe('payout accounts, releases and refunds', () => {
  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
  });

  it('opens one connected account per user, and the local onboarding completes at once', async () => {
    const userId = `designer-${hex(4)}`;
    const deps = { payoutAccounts, payments: gateway, now, onboardingUrls: { returnUrl: 'http://localhost:3000/payouts/onboarding/return', refreshUrl: 'http://localhost:3000/payouts/onboarding/refresh' } };

    const first = await openPayoutAccount({ userId, email: 'd@example.com', country: 'FR' }, deps);
    const again = await openPayoutAccount({ userId, email: 'd@example.com', country: 'FR' }, deps);

    expect(again.account).toEqual(first.account);
    expect(first.account).toMatchObject({ accountId: expect.stringMatching(/^acct_local_/), country: 'FR', ready: true, transfersActive: true, requirementsDue: [] });
    expect(first.onboarding.url).toBe(`http://localhost:3000/payouts/onboarding/return?account=${first.account.accountId}`);
    expect(await getPayoutAccount({ userId }, { payoutAccounts })).toEqual(first.account);
  });

  it('reads several users’ payout accounts in one request (the release reads both participants’ so), leaving out users without one', async () => {
    const [a, b] = [`designer-${hex(4)}`, `op-${hex(4)}`];
    await payoutAccount(a, 'acct_a', ready);
    await payoutAccount(b, 'acct_b', pending);
    const { client, sent } = countingClient(inject('dynamoDbUrl'));
    const counted = new DynamoDbPayoutAccounts(client, table);
    const accounts = await counted.getMany([a, b, a, `nobody-${hex(4)}`]);
    expect(sent).toEqual(['BatchGetItem']);
    expect([...accounts.keys()].sort()).toEqual([a, b].sort());
    expect(accounts.get(a)).toEqual(await payoutAccounts.get(a));
    expect(accounts.get(b)?.status).toEqual(pending);
    expect(await counted.getMany([])).toEqual(new Map());
  });

  it('pays each share to a ready account at release: transfers in the order’s group, and the books move it to paid out', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_designer_ready', ready);
    await payoutAccount(op.userId, 'acct_operator_ready', ready);
    const order = await shippedOrder(designer, op.printerId);

    const result = await releaseEscrow({ orderId: order.orderId }, depsWith(gateway));

    expect(result).toMatchObject({ royalty: 'transferred', printingFee: 'transferred' });
    // Delivered and paid: the customer's sealed address is not kept.
    expect(order.deliverTo).toBeDefined();
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'completed' });
    expect((await orders.get(order.orderId))!.deliverTo).toBeUndefined();
    const transfers = await gateway.transfersOf(order.orderId);
    expect(transfers.map((t) => [t.destinationAccount, t.amountCents]).sort()).toEqual([
      ['acct_designer_ready', 500],
      ['acct_operator_ready', 2490],
    ]);
    expect(await orderBalances(order.orderId)).toMatchObject({
      [`designer:${designer}:royalties`]: 0,
      [`designer:${designer}:paid-out`]: 500,
      [`printer:${op.printerId}:payouts`]: 0,
      [`printer:${op.printerId}:paid-out`]: 2490,
      'platform:commission': 1020,
      escrow: 0,
    });
  });

  it('keeps a share owed while the account is not ready, and transfers it when account.updated says it is; a re-delivery changes nothing', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_designer_pending', pending);
    const order = await shippedOrder(designer, op.printerId);
    const { gateway: payments, calls } = counting(gateway);

    const result = await releaseEscrow({ orderId: order.orderId }, depsWith(payments));

    // Neither is paid: the designer's account is pending, the operator has none.
    expect(result).toMatchObject({ royalty: 'owed', printingFee: 'owed' });
    expect(calls.filter((c) => c.startsWith('transfer'))).toEqual([]);
    expect(await books.balance(`designer:${designer}:royalties`)).toBe(500);
    expect(await books.balance(`printer:${op.printerId}:payouts`)).toBe(2490);

    const update = delivery('account.updated', accountObject('acct_designer_pending', designer, ready));
    const first = await handlePaymentEvent(webhooks.read(update.payload, update.signature), depsWith(payments));
    expect(first).toMatchObject({ kind: 'account-updated', duplicate: false, effect: 'status-updated; 1 owed share(s) transferred' });
    expect(calls.filter((c) => c.startsWith('transfer'))).toEqual(['transfer:acct_designer_pending']);
    expect(await books.balance(`designer:${designer}:royalties`)).toBe(0);
    expect(await books.balance(`designer:${designer}:paid-out`)).toBe(500);
    expect(await getPayoutAccount({ userId: designer }, { payoutAccounts })).toMatchObject({ ready: true, payoutsEnabled: true, requirementsDue: [] });

    const entriesBefore = await books.entries(order.orderId);
    const callsBefore = calls.length;
    const again = await handlePaymentEvent(webhooks.read(update.payload, update.signature), depsWith(payments));
    expect(again).toMatchObject({ duplicate: true, effect: 'none' });
    expect(calls).toHaveLength(callsBefore);
    expect(await books.entries(order.orderId)).toEqual(entriesBefore);
  });

  it('does not let an older account.updated overwrite a newer one (deliveries are not ordered)', async () => {
    const userId = `designer-${hex(4)}`;
    await payoutAccount(userId, 'acct_order', pending);
    const newer = delivery('account.updated', accountObject('acct_order', userId, ready), { created: 1_800_000_100 });
    const older = delivery('account.updated', accountObject('acct_order', userId, { ...pending, requirementsDue: ['individual.verification.document'] }), { created: 1_800_000_000 });

    await handlePaymentEvent(webhooks.read(newer.payload, newer.signature), depsWith(gateway));
    const late = await handlePaymentEvent(webhooks.read(older.payload, older.signature), depsWith(gateway));

    expect(late.effect).toBe('stale-or-unknown-account');
    expect(await getPayoutAccount({ userId }, { payoutAccounts })).toMatchObject({ ready: true, statusAt: new Date(1_800_000_100_000).toISOString() });
  });

  it('refunds a completed order: every transfer of its group reversed, then the charge refunded, and its books back to zero', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_d_refund', ready);
    await payoutAccount(op.userId, 'acct_o_refund', ready);
    const order = await shippedOrder(designer, op.printerId);
    await releaseEscrow({ orderId: order.orderId }, depsWith(gateway));
    const { gateway: payments, calls } = counting(gateway);

    const refunded = await refundDeliveredOrder({ orderId: order.orderId, reason: 'arrived broken', adminId: 'admin-1' }, depsWith(payments));

    expect(refunded).toEqual({ orderId: order.orderId, status: 'refunded', refundedCents: 4010 });
    // Reversals first, then the refund.
    expect(calls.map((c) => c.split(':')[0])).toEqual(['reverse', 'reverse', 'refund']);
    for (const t of await gateway.transfersOf(order.orderId)) expect(t.reversedCents).toBe(t.amountCents);
    const balances = await orderBalances(order.orderId);
    for (const [account, sum] of Object.entries(balances)) expect(sum, account).toBe(0);
    expect((await books.entries(order.orderId)).map((e) => e.step).sort()).toEqual([
      'escrow',
      'payout:printing-fee',
      'payout:royalty',
      'refund',
      'release',
      'reversal:payout:printing-fee',
      'reversal:payout:royalty',
      'reversal:release',
    ]);
    expect((await notifications.inbox(designer, 10)).map((n) => n.kind)).toContain('payout-reversed');

    // Retried: the order is refunded already, so no money moves and the books stay as they are.
    const callsBefore = calls.length;
    expect(await refundDeliveredOrder({ orderId: order.orderId, reason: 'arrived broken', adminId: 'admin-1' }, depsWith(payments))).toEqual(refunded);
    expect(calls.slice(callsBefore)).toEqual([]);
    expect(await orderBalances(order.orderId)).toEqual(balances);

    // A retry after a crash that left the order completed (the money moved, the status not yet): every step is
    // replayed under its key, the reversals are not made twice, the books are not posted twice.
    const crashed = await orders.get(order.orderId);
    expect(await orders.save({ ...crashed!, status: 'completed', revision: crashed!.revision + 1 }, crashed!.revision)).toBe(true);
    await refundDeliveredOrder({ orderId: order.orderId, reason: 'arrived broken', adminId: 'admin-1' }, depsWith(payments));
    expect(calls.slice(callsBefore)).toEqual(['refund']);
    expect(await orderBalances(order.orderId)).toEqual(balances);
    expect(await books.entries(order.orderId)).toHaveLength(8);

    // Stripe then reports that refund: it is ours, and nothing more happens.
    const event = delivery('charge.refunded', { id: order.chargeId ?? (await orders.get(order.orderId))!.chargeId, object: 'charge', amount: 4010, amount_refunded: 4010, transfer_group: order.orderId });
    expect(await handlePaymentEvent(webhooks.read(event.payload, event.signature), depsWith(payments))).toMatchObject({ effect: 'already-refunded' });
  });

  it('only refunds a completed order by the admin route: one still in its workflow is the workflow’s to refund', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    await expect(refundDeliveredOrder({ orderId: order.orderId, reason: 'too early', adminId: 'admin-1' }, depsWith(gateway))).rejects.toBeInstanceOf(Conflict);
  });

  it('undoes a release that failed halfway when the workflow refunds the order (one transfer made, the other refused)', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_d_half', ready);
    await payoutAccount(op.userId, 'acct_o_half', ready);
    const order = await shippedOrder(designer, op.printerId);
    const refusing: PaymentGateway = {
      ...counting(gateway).gateway,
      transfer: async (i) => {
        if (i.destinationAccount === 'acct_o_half') throw new Conflict('the destination account cannot receive transfers');
        return gateway.transfer(i);
      },
    };

    await expect(releaseEscrow({ orderId: order.orderId }, depsWith(refusing))).rejects.toBeInstanceOf(Conflict);
    expect((await gateway.transfersOf(order.orderId)).map((t) => t.destinationAccount)).toEqual(['acct_d_half']);

    const result = await refundOrder({ orderId: order.orderId, failure: { Error: 'Conflict', Cause: 'the destination account cannot receive transfers' } }, depsWith(gateway));

    expect(result).toEqual({ status: 'refunded' });
    expect((await orders.get(order.orderId))!.deliverTo).toBeUndefined();
    expect((await gateway.transfersOf(order.orderId)).map((t) => t.reversedCents)).toEqual([500]);
    for (const [account, sum] of Object.entries(await orderBalances(order.orderId))) expect(sum, account).toBe(0);
    expect(released).toContain(order.orderId);
  });

  it('records a dispute, and when it is lost takes back the shares and closes the order without refunding the charge again', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_d_dispute', ready);
    const order = await shippedOrder(designer, op.printerId);
    await releaseEscrow({ orderId: order.orderId }, depsWith(gateway));
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const { gateway: payments, calls } = counting(gateway);
    const dispute = { id: 'dp_1', object: 'dispute', charge: chargeId, amount: 4010, reason: 'product_not_received' };

    const opened = delivery('charge.dispute.created', { ...dispute, status: 'needs_response' });
    expect(await handlePaymentEvent(webhooks.read(opened.payload, opened.signature), depsWith(payments))).toMatchObject({ effect: 'dispute-recorded' });
    expect((await orders.get(order.orderId))!.dispute).toMatchObject({ disputeId: 'dp_1', status: 'open', reason: 'product_not_received' });

    const lost = delivery('charge.dispute.closed', { ...dispute, status: 'lost' });
    const effect = await handlePaymentEvent(webhooks.read(lost.payload, lost.signature), depsWith(payments));

    expect(effect).toMatchObject({ effect: 'dispute-lost; order refunded; release reversed' });
    expect(calls.some((c) => c === 'refund')).toBe(false);
    expect(calls.filter((c) => c.startsWith('reverse'))).toHaveLength(1);
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'refunded', failure: { error: 'DisputeLost' }, dispute: { status: 'lost' } });
    // The operator had no account: their payout was owed, never sent, and the reversal of the release takes it back.
    for (const [account, sum] of Object.entries(await orderBalances(order.orderId))) expect(sum, account).toBe(0);
    // The workflow's Refund step, reached later, finds the order closed and does not refund the charge again.
    expect(await refundOrder({ orderId: order.orderId, failure: null }, depsWith(payments))).toEqual({ status: 'refunded' });
    expect(calls.some((c) => c === 'refund')).toBe(false);
  });

  it('takes back what a release paid when a dispute was lost while it ran, and the order stays refunded', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_d_race', ready);
    await payoutAccount(op.userId, 'acct_o_race', ready);
    const order = await shippedOrder(designer, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const { gateway: counted, calls } = counting(gateway);
    const lost = delivery('charge.dispute.closed', { id: 'dp_race', object: 'dispute', charge: chargeId, amount: 4010, reason: 'fraudulent', status: 'lost' });
    let disputeEffect: unknown;
    // The bank's decision is handled after the designer's share was sent and before the operator's.
    const racing: PaymentGateway = {
      ...counted,
      transfer: async (i) => {
        const t = await counted.transfer(i);
        if (i.destinationAccount === 'acct_d_race') disputeEffect = await handlePaymentEvent(webhooks.read(lost.payload, lost.signature), depsWith(counted));
        return t;
      },
    };
    published.length = 0;

    const result = await releaseEscrow({ orderId: order.orderId }, depsWith(racing));

    expect(disputeEffect).toMatchObject({ effect: 'dispute-lost; order refunded; release reversed' });
    expect(result).toEqual({ released: 0, returnedMeanwhile: true });
    // Both shares were sent and both were taken back: the operator's by the release itself, after the dispute's pass.
    expect((await gateway.transfersOf(order.orderId)).map((t) => [t.destinationAccount, t.amountCents - t.reversedCents]).sort()).toEqual([
      ['acct_d_race', 0],
      ['acct_o_race', 0],
    ]);
    expect(calls.filter((c) => c === 'refund')).toEqual([]);
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'refunded', failure: { error: 'DisputeLost' } });
    for (const [account, sum] of Object.entries(await orderBalances(order.orderId))) expect(sum, account).toBe(0);
    // Nothing says the product was delivered to a paid order.
    expect(published).toEqual([]);

    // Run again (the workflow retried the step): nothing moves.
    calls.length = 0;
    await expect(releaseEscrow({ orderId: order.orderId }, depsWith(counted))).rejects.toBeInstanceOf(Conflict);
    expect(calls).toEqual([]);
  });

  it('releases nothing for an order whose money is already going back outside the workflow', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    const order = await shippedOrder(designer, op.printerId);
    const marked = (await orders.get(order.orderId))!;
    await orders.save({ ...marked, returnedOutsideAt: now().toISOString(), revision: marked.revision + 1 }, marked.revision);
    const { gateway: counted, calls } = counting(gateway);
    expect(await releaseEscrow({ orderId: order.orderId }, depsWith(counted))).toEqual({ released: 0, returnedMeanwhile: true });
    expect(calls).toEqual([]);
    expect((await books.entries(order.orderId)).map((e) => e.step)).toEqual(['escrow']);
  });

  it('applies a whole refund made in the dashboard; a partial charge.refunded books nothing itself (its refund’s own event does)', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;

    const partial = delivery('charge.refunded', { id: chargeId, object: 'charge', amount: 4010, amount_refunded: 1000, transfer_group: order.orderId });
    expect(await handlePaymentEvent(webhooks.read(partial.payload, partial.signature), depsWith(gateway))).toMatchObject({ effect: 'partial-refund; booked by its refund event' });
    expect((await books.entries(order.orderId)).map((e) => e.step)).toEqual(['escrow']);
    const whole = delivery('charge.refunded', { id: chargeId, object: 'charge', amount: 4010, amount_refunded: 4010, transfer_group: order.orderId });
    expect(await handlePaymentEvent(webhooks.read(whole.payload, whole.signature), depsWith(gateway))).toMatchObject({ effect: 'order-refunded' });
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'refunded', failure: { error: 'RefundedAtProvider' } });
    expect(await books.balance(`customer:${order.customerId}`)).toBe(0);

    const stranger = delivery('charge.refunded', { id: 'ch_not_ours', object: 'charge', amount: 100, amount_refunded: 100, transfer_group: 'someone-else' });
    expect(await handlePaymentEvent(webhooks.read(stranger.payload, stranger.signature), depsWith(gateway))).toMatchObject({ effect: 'unknown-charge' });
  });

  it('finishes a dashboard refund whose first handling stopped after marking the order, when the event comes again', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const whole = delivery('charge.refunded', { id: chargeId, object: 'charge', amount: 4010, amount_refunded: 4010, transfer_group: order.orderId });
    // The first handling marked the money as going back, then stopped (a crash); the provider delivers the event again.
    const marked = (await orders.get(order.orderId))!;
    await orders.save({ ...marked, returnedOutsideAt: now().toISOString(), revision: marked.revision + 1 }, marked.revision);
    expect(await handlePaymentEvent(webhooks.read(whole.payload, whole.signature), depsWith(gateway))).toMatchObject({ effect: 'order-refunded' });
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'refunded', failure: { error: 'RefundedAtProvider' } });
    expect(await books.balance(`customer:${order.customerId}`)).toBe(0);
  });
});

/** A refund made in Stripe's dashboard, as its refund.created (or refund.updated) event carries it. */
const refundObject = (refundId: string, chargeId: string, amount: number, status = 'succeeded') => ({ id: refundId, object: 'refund', amount, charge: chargeId, currency: 'eur', status });

/** A dispute as Stripe sends it, with the balance transactions of its funds so far (the fee on each). */
function disputeObject(disputeId: string, chargeId: string, status: string, moves: { id: string; amount: number; fee: number }[]) {
  return {
    id: disputeId,
    object: 'dispute',
    charge: chargeId,
    amount: 4010,
    currency: 'eur',
    reason: 'fraudulent',
    status,
    balance_transactions: moves.map((m) => ({ id: m.id, object: 'balance_transaction', amount: m.amount, fee: m.fee, net: m.amount - m.fee, currency: 'eur', type: 'adjustment' })),
  };
}

const handle = (d: { payload: string; signature: string }, payments: PaymentGateway = gateway) => handlePaymentEvent(webhooks.read(d.payload, d.signature), depsWith(payments));

describe('partial refunds made in the dashboard', () => {
  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
  });

  it('books a part given back before the release from the escrow once, however often and by whichever event it is reported', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const created = delivery('refund.created', refundObject('re_once', chargeId, 600));

    expect(await handle(created)).toMatchObject({ kind: 'refund-succeeded', duplicate: false, effect: 'partial-refund-booked; from the escrow' });
    // The same delivery again, and the same refund reported by another event (refund.updated).
    expect(await handle(created)).toMatchObject({ duplicate: true });
    expect(await handle(delivery('refund.updated', refundObject('re_once', chargeId, 600)))).toMatchObject({ duplicate: false, effect: 'partial-refund; booked before' });
    // A pending refund is not booked until it succeeds.
    expect(await handle(delivery('refund.created', refundObject('re_pending', chargeId, 100, 'pending')))).toMatchObject({ kind: 'ignored' });

    expect((await books.entries(order.orderId)).map((e) => e.step)).toEqual(['escrow', 'partial-refund:re_once']);
    expect(await orderBalances(order.orderId)).toEqual({ [`customer:${order.customerId}`]: -3410, escrow: 3410 });
    expect((await orders.get(order.orderId))!.partialRefunds).toEqual([{ refundId: 're_once', amountCents: 600, at: expect.any(String) }]);
    // The customer is told once, however often the part was reported.
    const told = (await notifications.inbox(order.customerId, 20)).filter((n) => n.kind === 'payment-partly-refunded');
    expect(told.map((n) => n.text)).toEqual(['€6.00 of your payment was given back to you.']);
    // The customer's payment history shows it.
    const [customer] = await paymentHistory({ userId: order.customerId, groups: ['customer'], printerIds: [] }, { books });
    expect(customer!.lines.filter((l) => l.orderId === order.orderId).map((l) => [l.step, l.amountCents])).toEqual([
      ['escrow', -4010],
      ['partial-refund:re_once', 600],
    ]);
  });

  it('books two parts each once, and the part that brings them to the whole charge refunds the order, booking only the rest', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const { gateway: payments, calls } = counting(gateway);

    expect(await handle(delivery('refund.created', refundObject('re_a', chargeId, 1000)), payments)).toMatchObject({ effect: 'partial-refund-booked; from the escrow' });
    expect(await handle(delivery('refund.created', refundObject('re_b', chargeId, 500)), payments)).toMatchObject({ effect: 'partial-refund-booked; from the escrow' });
    expect(await orderBalances(order.orderId)).toEqual({ [`customer:${order.customerId}`]: -2510, escrow: 2510 });
    // Each part is told on its own.
    const told = (await notifications.inbox(order.customerId, 20)).filter((n) => n.kind === 'payment-partly-refunded');
    expect(told.map((n) => n.text).sort()).toEqual(['€10.00 of your payment was given back to you.', '€5.00 of your payment was given back to you.']);

    expect(await handle(delivery('refund.created', refundObject('re_rest', chargeId, 2510)), payments)).toMatchObject({ effect: 'order-refunded' });
    // Stripe's charge.refunded for the last part says the whole charge is refunded: nothing more to do.
    expect(await handle(delivery('charge.refunded', { id: chargeId, object: 'charge', amount: 4010, amount_refunded: 4010, transfer_group: order.orderId }), payments)).toMatchObject({ effect: 'already-refunded' });

    expect(calls).toEqual([]);
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'refunded', failure: { error: 'RefundedAtProvider' } });
    const entries = await books.entries(order.orderId);
    expect(entries.map((e) => e.step).sort()).toEqual(['escrow', 'partial-refund:re_a', 'partial-refund:re_b', 'refund']);
    expect(entries.find((e) => e.step === 'refund')!.postings).toEqual([
      { account: 'escrow', amountCents: -2510 },
      { account: `customer:${order.customerId}`, amountCents: 2510 },
    ]);
    for (const [account, sum] of Object.entries(await orderBalances(order.orderId))) expect(sum, account).toBe(0);
  });

  it('has the platform bear a part given back after the release; refunding the order later refunds only the rest, and every account ends at zero', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_d_partial_after', ready);
    await payoutAccount(op.userId, 'acct_o_partial_after', ready);
    const order = await shippedOrder(designer, op.printerId);
    await releaseEscrow({ orderId: order.orderId }, depsWith(gateway));
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const refunded: number[] = [];
    const { gateway: counted, calls } = counting(gateway);
    const payments: PaymentGateway = { ...counted, refund: (i) => (refunded.push(i.amountCents), counted.refund(i)) };

    expect(await handle(delivery('refund.created', refundObject('re_after', chargeId, 700)), payments)).toMatchObject({ effect: 'partial-refund-booked; borne by the platform' });

    // The participants keep what they were sent.
    expect(calls).toEqual([]);
    expect((await gateway.transfersOf(order.orderId)).map((t) => t.reversedCents)).toEqual([0, 0]);
    expect(await orderBalances(order.orderId)).toMatchObject({ escrow: 0, 'platform:commission': 1020 - 700, [`customer:${order.customerId}`]: -3310, [`designer:${designer}:paid-out`]: 500 });

    await refundDeliveredOrder({ orderId: order.orderId, reason: 'arrived broken after all', adminId: 'admin-1' }, depsWith(payments));

    // The charge had 3310 left to refund; the platform gets back the 700 it bore, as the shares are all taken back.
    expect(refunded).toEqual([3310]);
    for (const [account, sum] of Object.entries(await orderBalances(order.orderId))) expect(sum, account).toBe(0);
  });

  it('has the platform bear a part that a release running at the same time split after all (it read the order before the part was recorded)', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    const order = await shippedOrder(designer, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    // The release read the order before the part was recorded, and posts its split just after the handler first
    // looked at the order's entries (and found no release).
    const readByRelease = (await orders.get(order.orderId))!;
    let raced = false;
    const racingBooks: Books = {
      post: (e) => books.post(e),
      balance: (a) => books.balance(a),
      statement: (a) => books.statement(a),
      recentLines: (a, limit) => books.recentLines(a, limit),
      entries: async (orderId) => {
        const seen = await books.entries(orderId);
        if (!raced && orderId === order.orderId) {
          raced = true;
          const { escrowedCents, split } = releaseSplit(readByRelease);
          await books.post(releaseEntry(order.orderId, escrowedCents, split, now().toISOString()));
        }
        return seen;
      },
    };

    const created = delivery('refund.created', refundObject('re_raced', chargeId, 600));
    const handled = await handlePaymentEvent(webhooks.read(created.payload, created.signature), { ...depsWith(gateway), books: racingBooks });

    expect(raced).toBe(true);
    expect(handled).toMatchObject({ effect: 'partial-refund-booked; borne by the platform (the release had split it)' });
    expect((await books.entries(order.orderId)).map((e) => e.step)).toEqual(['escrow', 'partial-refund:re_raced', 'partial-refund:re_raced:platform-bears', 'release']);
    expect(await orderBalances(order.orderId)).toMatchObject({ escrow: 0, 'platform:commission': 1020 - 600, [`customer:${order.customerId}`]: -3410, [`designer:${designer}:royalties`]: 500 });
  });

  // Needs ReleaseEscrow to split with releaseSplit (shared/orders/refunds.ts); until order-steps.ts does, the release
  // splits the whole charge and this fails. Turn it into it() once it is wired.
  it('splits at release only what a part given back before it left, taken from the commission first, and the books add up to zero', async () => {
    const designer = `designer-${hex(4)}`;
    const op = operator();
    await payoutAccount(designer, 'acct_d_partial_before', ready);
    await payoutAccount(op.userId, 'acct_o_partial_before', ready);
    const order = await shippedOrder(designer, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    // 1020 of commission (320 and the 700 of the design price that is not royalty) and 80 of the printer's payout.
    await handle(delivery('refund.created', refundObject('re_before', chargeId, 1100)));

    expect(await releaseEscrow({ orderId: order.orderId }, depsWith(gateway))).toMatchObject({ released: 2910, royalty: 'transferred', printingFee: 'transferred' });

    expect((await gateway.transfersOf(order.orderId)).map((t) => [t.destinationAccount, t.amountCents]).sort()).toEqual([
      ['acct_d_partial_before', 500],
      ['acct_o_partial_before', 2410],
    ]);
    expect(await orderBalances(order.orderId)).toEqual({
      [`customer:${order.customerId}`]: -2910,
      escrow: 0,
      [`designer:${designer}:royalties`]: 0,
      [`designer:${designer}:paid-out`]: 500,
      [`printer:${op.printerId}:payouts`]: 0,
      [`printer:${op.printerId}:paid-out`]: 2410,
    });

    // A dispute lost afterwards takes it all back: the customer has the whole charge again, every account is at zero.
    await handle(delivery('charge.dispute.closed', disputeObject('dp_after_partial', chargeId, 'lost', [])));
    for (const [account, sum] of Object.entries(await orderBalances(order.orderId))) expect(sum, account).toBe(0);
  });
});

describe('dispute fees', () => {
  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
  });

  const withdrawal = { id: `txn_w_${hex(4)}`, amount: -4010, fee: 1500 };
  const reinstatement = { id: `txn_r_${hex(4)}`, amount: 4010, fee: -1500 };

  it('books Stripe’s dispute fee once against the platform, and its return when the dispute is won', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;

    expect(await handle(delivery('charge.dispute.created', disputeObject('dp_won', chargeId, 'needs_response', [withdrawal])))).toMatchObject({ effect: 'dispute-recorded; fee of 1500 cents booked' });
    // charge.dispute.funds_withdrawn reports the same withdrawal: not booked again.
    expect(await handle(delivery('charge.dispute.funds_withdrawn', disputeObject('dp_won', chargeId, 'needs_response', [withdrawal])))).toMatchObject({ effect: 'dispute-funds-withdrawn' });
    expect(await orderBalances(order.orderId)).toMatchObject({ 'platform:commission': -1500, 'payment-provider:fees': 1500 });

    const won = disputeObject('dp_won', chargeId, 'won', [withdrawal, reinstatement]);
    expect(await handle(delivery('charge.dispute.funds_reinstated', won))).toMatchObject({ effect: 'dispute-funds-reinstated; fee of 1500 cents returned' });
    expect(await handle(delivery('charge.dispute.closed', won))).toMatchObject({ effect: 'dispute-won' });

    expect((await books.entries(order.orderId)).map((e) => e.step).sort()).toEqual(['dispute-fee:dp_won:' + withdrawal.id, 'dispute-fee:dp_won:' + reinstatement.id, 'escrow'].sort());
    expect(await orderBalances(order.orderId)).toMatchObject({ 'platform:commission': 0, 'payment-provider:fees': 0, escrow: 4010 });
    expect(await orders.get(order.orderId)).toMatchObject({ status: 'shipped', dispute: { disputeId: 'dp_won', status: 'won' } });
  });

  it('keeps the fee booked when the dispute is lost, while the order is refunded as before', async () => {
    const op = operator();
    const order = await shippedOrder(`designer-${hex(4)}`, op.printerId);
    const chargeId = (await orders.get(order.orderId))!.chargeId!;
    const lost = disputeObject('dp_lost', chargeId, 'lost', [{ ...withdrawal, id: `txn_w_${hex(4)}` }]);

    // Only the closing event arrives (the earlier ones were not subscribed to): it carries the fee too.
    expect(await handle(delivery('charge.dispute.closed', lost))).toMatchObject({ effect: 'dispute-lost; order refunded; fee of 1500 cents booked' });

    expect(await orders.get(order.orderId)).toMatchObject({ status: 'refunded', failure: { error: 'DisputeLost' } });
    expect(await orderBalances(order.orderId)).toEqual({ [`customer:${order.customerId}`]: 0, escrow: 0, 'platform:commission': -1500, 'payment-provider:fees': 1500 });
  });
});
