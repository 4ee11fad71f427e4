// Partners in the single table: PARTNERS / <kind>#<id> (listed by kind), and handled webhook ids with a TTL.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Partner, PartnerStore } from '../partners/partners.js';
import { conditionalWrite, documentClient } from './dynamodb-document.js';

export class DynamoDbPartners implements PartnerStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async create(p: Partner) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `PARTNER#${p.partnerId}`, sk: 'PARTNER', gsi1pk: `PARTNERS#${p.kind}`, gsi1sk: `${p.createdAt}#${p.partnerId}`, partner: p }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(partnerId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `PARTNER#${partnerId}`, sk: 'PARTNER' } }));
    return out.Item?.partner as Partner | undefined;
  }

  async list(kind: Partner['kind']) {
    const out = await this.doc.send(new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :k', ExpressionAttributeValues: { ':k': `PARTNERS#${kind}` } }));
    return (out.Items ?? []).map((i) => i.partner as Partner);
  }

  async firstDelivery(partnerId: string, webhookId: string, expiresAt: number) {
    return conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `WEBHOOK#${partnerId}#${webhookId}`, sk: 'SEEN', expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async handledBefore(partnerId: string, webhookId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `WEBHOOK#${partnerId}#${webhookId}`, sk: 'SEEN' }, ConsistentRead: true }));
    return out.Item !== undefined;
  }
}
