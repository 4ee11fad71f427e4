// The embedded platform's payment gateway: Stripe's test cards decide the outcome, and every answer is kept in the
// main table under its idempotency key, so a retry (even after a restart) gets the first answer and money moves once.
// Transfers are also kept under their transfer group (PAYMENT_GROUP#<group>), with what was reversed of each, so a
// refund finds them as it would on Stripe. Connected accounts complete their onboarding at once, as Stripe's test
// mode lets one skip it: the account is ready for transfers and its onboarding link leads straight back.
import { ConditionalCheckFailedException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { testCardOutcome, type ChargeResult, type ConnectedAccountStatus, type PaymentGateway, type TransferMade } from '../payments/payment-gateway.js';
import { DependencyUnavailable, InvalidInput, NotFound, RuleViolation } from '../errors.js';
import { canonicalJson } from '../ledger/transaction.js';
import { documentClient, itemsUnder, nativeItem } from './dynamodb-document.js';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** A completed Express account in test mode: transfers active, payouts enabled, nothing due. */
const onboarded: ConnectedAccountStatus = { chargesEnabled: false, payoutsEnabled: true, transfersActive: true, detailsSubmitted: true, requirementsDue: [] };

const messages = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_number: 'Your card number is incorrect.',
} as const;

export class LocalPaymentGateway implements PaymentGateway {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => Date,
  ) {
    this.doc = documentClient(client);
  }

  /**
   * Runs `make` once per idempotency key; the stored answer wins a race and every retry. `also` are writes that
   * belong to the answer (a transfer's group entry), made in the same transaction so they happen exactly once.
   */
  private async once<T>(kind: string, key: string, request: object, make: () => T, also: (result: T) => TransactItem[] = () => []): Promise<T> {
    const k = { pk: `PAYMENT#${kind}#${key}`, sk: 'RESULT' };
    // Written first, read only when the key was used before: the refused write answers with the stored item (ALL_OLD),
    // so a first request costs one write and a retry one refused write, where each began with a read.
    const result = make();
    const put = { TableName: this.table, Item: { ...k, request, result }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const;
    const extra = also(result);
    // Past the try, the write was refused: the key was used before. Its stored answer came back with the refusal, or not.
    let returned: Record<string, unknown> | undefined;
    try {
      // An answer with nothing written beside it (a charge, a refund) is one conditional write: a transaction of one
      // item does the same at twice the write cost in DynamoDB (and about 2.5 times the CPU in DynamoDB Local).
      if (extra.length === 0) await this.doc.send(new PutCommand(put));
      else await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...extra] }));
      return result;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        returned = err.Item ? nativeItem(err.Item) : undefined;
      } else if (err instanceof TransactionCanceledException) {
        const reasons = err.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') returned = reasons[0].Item ? nativeItem(reasons[0].Item) : undefined;
        else if (reasons.slice(1).some((r) => r.Code === 'ConditionalCheckFailed')) {
          throw new RuleViolation(`The ${kind} ${key} cannot be made: it would take back more than was transferred`);
        } else throw err;
      } else throw err;
    }
    const stored = returned ?? (await this.doc.send(new GetCommand({ TableName: this.table, Key: k, ConsistentRead: true }))).Item;
    if (!stored) throw new DependencyUnavailable(`The ${kind} ${key} was refused as made before, but its answer could not be read`);
    // Stripe refuses a key reused with different parameters; so do we (compared key-order-free: DynamoDB reorders).
    if (canonicalJson(stored.request) !== canonicalJson(request)) throw new InvalidInput(`Idempotency key ${key} was used with different parameters`);
    return stored.result as T;
  }

  charge(input: Parameters<PaymentGateway['charge']>[0]): Promise<ChargeResult> {
    if (!Number.isInteger(input.amountCents) || input.amountCents < 50) throw new InvalidInput('A charge is a whole number of cents, at least 50');
    return this.once('charge', input.idempotencyKey, input, (): ChargeResult => {
      const outcome = testCardOutcome(input.paymentMethod);
      return outcome === 'succeeded' ? { status: 'succeeded', chargeId: `ch_local_${randomUUID()}`, amountCents: input.amountCents } : { status: 'declined', code: outcome, message: messages[outcome] };
    });
  }

  refund(input: Parameters<PaymentGateway['refund']>[0]): Promise<{ refundId: string }> {
    return this.once('refund', input.idempotencyKey, input, () => ({ refundId: `re_local_${randomUUID()}` }));
  }

  transfer(input: Parameters<PaymentGateway['transfer']>[0]): Promise<{ transferId: string }> {
    return this.once(
      'transfer',
      input.idempotencyKey,
      input,
      () => ({ transferId: `tr_local_${randomUUID()}` }),
      ({ transferId }) => [
        {
          Put: {
            TableName: this.table,
            Item: {
              pk: `PAYMENT_GROUP#${input.transferGroup}`,
              sk: `TRANSFER#${transferId}`,
              transfer: { transferId, destinationAccount: input.destinationAccount, amountCents: input.amountCents, reversedCents: 0 },
              // What may still be reversed: a condition cannot add, so the remainder is kept beside the sum.
              unreversedCents: input.amountCents,
            },
          },
        },
        { Put: { TableName: this.table, Item: { pk: `PAYMENT_TRANSFER#${transferId}`, sk: 'GROUP', transferGroup: input.transferGroup } } },
      ],
    );
  }

  async transfersOf(transferGroup: string): Promise<TransferMade[]> {
    return (await itemsUnder(this.doc, this.table, `PAYMENT_GROUP#${transferGroup}`, 'TRANSFER#', { consistent: true })).map((i) => i.transfer as TransferMade);
  }

  async reverseTransfer(input: Parameters<PaymentGateway['reverseTransfer']>[0]): Promise<{ reversalId: string }> {
    const group = await this.groupOfTransfer(input.transferId);
    return this.once(
      'reversal',
      input.idempotencyKey,
      input,
      () => ({ reversalId: `trr_local_${randomUUID()}` }),
      () => [
        {
          // Stripe refuses to reverse more than is left of a transfer; so does the condition.
          Update: {
            TableName: this.table,
            Key: { pk: `PAYMENT_GROUP#${group}`, sk: `TRANSFER#${input.transferId}` },
            UpdateExpression: 'SET #t.reversedCents = #t.reversedCents + :a, unreversedCents = unreversedCents - :a',
            ConditionExpression: 'unreversedCents >= :a',
            ExpressionAttributeNames: { '#t': 'transfer' },
            ExpressionAttributeValues: { ':a': input.amountCents },
          },
        },
      ],
    );
  }

  private async groupOfTransfer(transferId: string): Promise<string> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `PAYMENT_TRANSFER#${transferId}`, sk: 'GROUP' }, ConsistentRead: true }));
    if (!out.Item) throw new NotFound(`No such transfer: ${transferId}`);
    return String(out.Item.transferGroup);
  }

  /** The account id follows from the user, so the same user always has the same local account. */
  async createConnectedAccount(input: Parameters<PaymentGateway['createConnectedAccount']>[0]): Promise<{ accountId: string; status: ConnectedAccountStatus }> {
    const accountId = `acct_local_${createHash('sha256').update(input.userId).digest('hex').slice(0, 16)}`;
    return this.once('account', input.idempotencyKey, input, () => ({ accountId, status: onboarded }));
  }

  /** Nothing to fill in locally: the link is the return URL, naming the account that completed its onboarding. */
  async onboardingLink(input: Parameters<PaymentGateway['onboardingLink']>[0]): Promise<{ url: string; expiresAt: string }> {
    const url = new URL(input.returnUrl);
    url.searchParams.set('account', input.accountId);
    return { url: url.toString(), expiresAt: new Date(this.now().getTime() + 300_000).toISOString() };
  }
}
