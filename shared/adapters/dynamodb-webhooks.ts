// Outbound webhook endpoints and deliveries in the single table. Endpoints live under their partner
// (PARTNER#<id> / WEBHOOK_ENDPOINT#<endpointId>); a delivery is its own item (WEBHOOK_DELIVERY#<id>), written on its
// revision, and listed per partner, newest first, on gsi1.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebhookDeliveries, WebhookDelivery, WebhookEndpoint, WebhookEndpoints } from '../partners/outbound-webhooks.js';
import { conditionalWrite, documentClient, itemsUnder } from './dynamodb-document.js';

const endpointKey = (partnerId: string, endpointId: string) => ({ pk: `PARTNER#${partnerId}`, sk: `WEBHOOK_ENDPOINT#${endpointId}` });
const deliveryKey = (deliveryId: string) => ({ pk: `WEBHOOK_DELIVERY#${deliveryId}`, sk: 'DELIVERY' });

export class DynamoDbWebhookEndpoints implements WebhookEndpoints {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async create(e: WebhookEndpoint) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...endpointKey(e.partnerId, e.endpointId), endpoint: e }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(partnerId: string, endpointId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: endpointKey(partnerId, endpointId), ConsistentRead: true }));
    return out.Item?.endpoint as WebhookEndpoint | undefined;
  }

  async listByPartner(partnerId: string) {
    return (await itemsUnder(this.doc, this.table, `PARTNER#${partnerId}`, 'WEBHOOK_ENDPOINT#', { consistent: true })).map((i) => i.endpoint as WebhookEndpoint);
  }

  /** Overwrites an existing endpoint only: a save racing a delete must not bring the endpoint back. */
  async save(e: WebhookEndpoint) {
    await conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: { ...endpointKey(e.partnerId, e.endpointId), endpoint: e }, ConditionExpression: 'attribute_exists(pk)' })));
  }

  async delete(partnerId: string, endpointId: string) {
    return conditionalWrite(this.doc.send(new DeleteCommand({ TableName: this.table, Key: endpointKey(partnerId, endpointId), ConditionExpression: 'attribute_exists(pk)' })));
  }
}

export class DynamoDbWebhookDeliveries implements WebhookDeliveries {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  private item(d: WebhookDelivery) {
    return { ...deliveryKey(d.deliveryId), gsi1pk: `PARTNER#${d.partnerId}#DELIVERIES`, gsi1sk: `${d.createdAt}#${d.deliveryId}`, revision: d.revision, delivery: d };
  }

  async create(d: WebhookDelivery) {
    return conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(d), ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async get(deliveryId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: deliveryKey(deliveryId), ConsistentRead: true }));
    return out.Item?.delivery as WebhookDelivery | undefined;
  }

  async save(d: WebhookDelivery, expectedRevision: number) {
    return conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(d), ConditionExpression: 'revision = :r', ExpressionAttributeValues: { ':r': expectedRevision } })));
  }

  async listByPartner(partnerId: string, limit: number) {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :k', ExpressionAttributeValues: { ':k': `PARTNER#${partnerId}#DELIVERIES` }, ScanIndexForward: false, Limit: limit }),
    );
    return (out.Items ?? []).map((i) => i.delivery as WebhookDelivery);
  }
}
