// Payout accounts in the single table (USER#<id> / PAYOUT_ACCOUNT), and the marks of handled payment events
// (PAYMENT_EVENT#<id> / HANDLED, expiring once the provider has long stopped re-delivering them).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HandledEvents } from '../payments/handle-payment-event.js';
import type { ConnectedAccountStatus } from '../payments/payment-gateway.js';
import type { PayoutAccount, PayoutAccountStore } from '../payments/payout-accounts.js';
import { batchGet, conditionalWrite, documentClient } from './dynamodb-document.js';

const key = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PAYOUT_ACCOUNT' });

export class DynamoDbPayoutAccounts implements PayoutAccountStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async get(userId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(userId), ConsistentRead: true }));
    return out.Item?.account as PayoutAccount | undefined;
  }

  async getMany(userIds: string[]) {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map<string, PayoutAccount>();
    const items = await batchGet(this.doc, this.table, ids.map(key), { consistent: true });
    return new Map(items.map((item) => [String(item.pk).slice('USER#'.length), item.account as PayoutAccount]));
  }

  create(account: PayoutAccount) {
    return conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key(account.userId), account }, ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  updateStatus(userId: string, accountId: string, status: ConnectedAccountStatus, statusAt: string) {
    return conditionalWrite(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(userId),
          UpdateExpression: 'SET #a.#s = :s, #a.#t = :t',
          // ISO-8601 instants of one format compare as strings.
          ConditionExpression: '#a.#id = :id AND #a.#t <= :t',
          ExpressionAttributeNames: { '#a': 'account', '#s': 'status', '#t': 'statusAt', '#id': 'accountId' },
          ExpressionAttributeValues: { ':s': status, ':t': statusAt, ':id': accountId },
        }),
      ),
    );
  }
}

export class DynamoDbHandledEvents implements HandledEvents {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async seen(eventId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `PAYMENT_EVENT#${eventId}`, sk: 'HANDLED' }, ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async mark(eventId: string, effect: string, expiresAt: number) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `PAYMENT_EVENT#${eventId}`, sk: 'HANDLED', effect, expiresAt } }));
  }
}
