// The embedded platform's payment gateway: Stripe's test cards decide the outcome, and every answer is kept in the
// main table under its idempotency key, so a retry (even after a restart) gets the first answer and money moves once.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { testCardOutcome, type ChargeResult, type PaymentGateway } from '../payments/payment-gateway.js';
import { InvalidInput } from '../errors.js';
import { canonicalJson } from '../ledger/transaction.js';
import { documentClient } from './dynamodb-document.js';

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
  ) {
    this.doc = documentClient(client);
  }

  /** Runs `make` once per idempotency key; the stored answer wins a race and every retry. */
  private async once<T>(kind: string, key: string, request: object, make: () => T): Promise<T> {
    const k = { pk: `PAYMENT#${kind}#${key}`, sk: 'RESULT' };
    const existing = await this.doc.send(new GetCommand({ TableName: this.table, Key: k, ConsistentRead: true }));
    if (existing.Item) {
      // Stripe refuses a key reused with different parameters; so do we (compared key-order-free: DynamoDB reorders).
      if (canonicalJson(existing.Item.request) !== canonicalJson(request)) throw new InvalidInput(`Idempotency key ${key} was used with different parameters`);
      return existing.Item.result as T;
    }
    const result = make();
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...k, request, result }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return result;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return this.once(kind, key, request, make);
    }
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
    return this.once('transfer', input.idempotencyKey, input, () => ({ transferId: `tr_local_${randomUUID()}` }));
  }
}
