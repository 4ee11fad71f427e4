// The local payment gateway and the double-entry books on DynamoDB Local: Stripe's test cards, idempotent charges and
// transfers, balanced and once-only postings, and an order's money from escrow to royalty, fee and commission.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbBooks } from '../../../shared/adapters/dynamodb-books.js';
import { LocalPaymentGateway } from '../../../shared/adapters/local-payment-gateway.js';
import { RuleViolation } from '../../../shared/errors.js';
import { paymentHistory, releaseEntry, statementLinesShown } from '../../../shared/payments/accounting.js';
import { countingClient } from '../../support/counting-dynamodb.js';

const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const table = `payments-${randomUUID()}`;

describe('payments and books', () => {
  const gateway = new LocalPaymentGateway(dynamo, table, () => new Date());
  const books = new DynamoDbBooks(dynamo, table);
  const charge = (paymentMethod: string, idempotencyKey: string = randomUUID()) => gateway.charge({ amountCents: 2500, currency: 'eur', paymentMethod, transferGroup: 'order-1', idempotencyKey });

  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
  });

  it('follows Stripe’s test cards', async () => {
    expect(await charge('4242 4242 4242 4242')).toMatchObject({ status: 'succeeded', amountCents: 2500 });
    expect(await charge('4000 0000 0000 0002')).toEqual({ status: 'declined', code: 'card_declined', message: 'Your card was declined.' });
    expect(await charge('4000000000009995')).toMatchObject({ status: 'declined', code: 'insufficient_funds' });
    expect(await charge('pm_card_visa')).toMatchObject({ status: 'succeeded' });
    expect(await charge('1234')).toMatchObject({ status: 'declined', code: 'incorrect_number' });
  });

  it('never charges twice for one idempotency key, and refuses the key with other parameters', async () => {
    const first = await charge('4242424242424242', 'order-7:escrow');
    const retries = await Promise.all([charge('4242424242424242', 'order-7:escrow'), charge('4242424242424242', 'order-7:escrow')]);
    for (const r of retries) expect(r).toEqual(first);
    await expect(gateway.charge({ amountCents: 9999, currency: 'eur', paymentMethod: '4242424242424242', transferGroup: 'order-1', idempotencyKey: 'order-7:escrow' })).rejects.toThrow('different parameters');
    const t1 = await gateway.transfer({ destinationAccount: 'acct_designer', amountCents: 700, transferGroup: 'order-7', idempotencyKey: 'order-7:royalty' });
    expect(await gateway.transfer({ destinationAccount: 'acct_designer', amountCents: 700, transferGroup: 'order-7', idempotencyKey: 'order-7:royalty' })).toEqual(t1);
  });

  it('charges with one conditional write (no transaction), and answers a retry from the refused write, with no read first', async () => {
    const { client, sent } = countingClient(inject('dynamoDbUrl'));
    const counted = new LocalPaymentGateway(client, table, () => new Date());
    const key = `order-${randomUUID()}:escrow`;
    const input = { amountCents: 2500, currency: 'eur' as const, paymentMethod: '4242424242424242', transferGroup: 'order-9', idempotencyKey: key };
    const first = await counted.charge(input);
    expect(sent).toEqual(['PutItem']);
    sent.length = 0;
    expect(await counted.charge(input)).toEqual(first);
    await expect(counted.charge({ ...input, amountCents: 2600 })).rejects.toThrow('different parameters');
    // Each retry is its refused write alone: the refusal carries the stored answer.
    expect(sent).toEqual(['PutItem', 'PutItem']);
    // A transfer writes its group entries with its answer, so it stays one transaction, and is answered the same way.
    sent.length = 0;
    const transfer = { destinationAccount: 'acct_designer', amountCents: 700, transferGroup: `order-${randomUUID()}`, idempotencyKey: `${key}:royalty` };
    const made = await counted.transfer(transfer);
    expect(await counted.transfer(transfer)).toEqual(made);
    expect(await counted.transfersOf(transfer.transferGroup)).toHaveLength(1);
    expect(sent).toEqual(['TransactWriteItems', 'TransactWriteItems', 'Query']);
  });

  it('posts balanced entries once, and splits an order’s escrow into royalty, fee and commission', async () => {
    const orderId = randomUUID();
    const at = '2026-11-24T10:00:00Z';
    expect(await books.post({ orderId, step: 'escrow', postings: [{ account: 'customer:bob', amountCents: -2500 }, { account: 'escrow', amountCents: 2500 }], at })).toBe(true);
    expect(await books.post({ orderId, step: 'escrow', postings: [{ account: 'customer:bob', amountCents: -2500 }, { account: 'escrow', amountCents: 2500 }], at })).toBe(false);
    await expect(books.post({ orderId, step: 'oops', postings: [{ account: 'escrow', amountCents: 10 }], at })).rejects.toBeInstanceOf(RuleViolation);
    const release = releaseEntry(orderId, 2500, { designerId: 'alice', printerId: 'p1', royaltyCents: 700, printingFeeCents: 1200, shippingCents: 300, commissionCents: 300 }, at);
    expect(await books.post(release)).toBe(true);
    expect(await books.post(release)).toBe(false);
    const entries = await books.entries(orderId);
    expect(entries.map((e) => e.step).sort()).toEqual(['escrow', 'release']);
    for (const e of entries) expect(e.postings.reduce((n, p) => n + p.amountCents, 0)).toBe(0);
    expect(await books.balance('designer:alice:royalties')).toBe(700);
    expect(await books.balance('printer:p1:payouts')).toBe(1500);
    expect(await books.balance('platform:commission')).toBe(300);
    expect(() => releaseEntry(orderId, 2500, { designerId: 'a', printerId: 'p', royaltyCents: 1, printingFeeCents: 1, shippingCents: 1, commissionCents: 1 }, at)).toThrow('does not use the escrowed');
  });

  it('spreads a busy account’s balance over several items, each order’s moves on one of them, and reads their sum', async () => {
    // The escrow account is in every order's escrow and release: in AWS, transactions on one balance item at once
    // cancel each other, so concurrent orders must mostly meet on different items.
    const account = `escrow-${randomUUID()}`;
    const at = '2026-12-03T10:00:00Z';
    const orders = Array.from({ length: 24 }, () => randomUUID());
    const posted = await Promise.all(orders.map((orderId) => books.post({ orderId, step: 'escrow', postings: [{ account: 'customer:bob', amountCents: -100 }, { account, amountCents: 100 }], at })));
    expect(posted.every(Boolean)).toBe(true);
    expect(await books.post({ orderId: orders[0]!, step: 'escrow', postings: [{ account: 'customer:bob', amountCents: -100 }, { account, amountCents: 100 }], at })).toBe(false);
    expect(await books.balance(account)).toBe(2400);

    const doc = DynamoDBDocumentClient.from(dynamo);
    const items = (await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': `ACCOUNT#${account}`, ':b': 'BALANCE' } }))).Items ?? [];
    expect(items.length).toBeGreaterThan(8);
    expect(items.every((i) => /^BALANCE#\d\d$/.test(String(i.sk)))).toBe(true);
    expect(items.reduce((n, i) => n + Number(i.balanceCents), 0)).toBe(2400);
    // The statement still adds up to the balance.
    expect((await books.statement(account)).reduce((n, l) => n + l.amountCents, 0)).toBe(2400);

    // A balance kept as one item by an earlier version is part of the sum.
    await doc.send(new PutCommand({ TableName: table, Item: { pk: `ACCOUNT#${account}`, sk: 'BALANCE', balanceCents: 500 } }));
    expect(await books.balance(account)).toBe(2900);
  });

  it('shows an account’s latest lines, says that earlier ones exist, and keeps the whole balance', async () => {
    // The escrow and the commission gain lines with every order: a history read whole would grow without end.
    const customer = `customer:${randomUUID()}`;
    const account = `platform:commission-${randomUUID()}`;
    const n = statementLinesShown + 5;
    for (let i = 0; i < n; i++) {
      const at = new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString();
      await books.post({ orderId: `o${String(i).padStart(3, '0')}`, step: 'escrow', postings: [{ account: customer, amountCents: -(i + 1) }, { account, amountCents: i + 1 }], at });
    }
    const few = await books.recentLines(account, 3);
    expect(few.lines.map((l) => l.orderId)).toEqual([`o${n - 3}`, `o${n - 2}`, `o${n - 1}`]);
    expect(few.earlierLinesOmitted).toBe(true);
    const all = await books.recentLines(account, n);
    expect(all.lines).toHaveLength(n);
    expect(all.earlierLinesOmitted).toBe(false);
    expect(all.lines).toEqual(await books.statement(account));

    // A customer's history through the use case: the latest lines, oldest first, and the balance of them all.
    const [history] = await paymentHistory({ userId: customer.slice('customer:'.length), groups: ['customer'], printerIds: [] }, { books });
    expect(history!.lines).toHaveLength(statementLinesShown);
    expect(history!.lines[0]!.orderId).toBe('o005');
    expect(history!.lines.at(-1)!.orderId).toBe(`o${n - 1}`);
    expect(history!.earlierLinesOmitted).toBe(true);
    expect(history!.balanceCents).toBe(-((n * (n + 1)) / 2));
  });
});
