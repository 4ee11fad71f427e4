// Orders in the single table: ORDER#id / ORDER, and gsi1 as each customer's order history, newest first.
import { ConditionalCheckFailedException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Order } from '../orders/order.js';
import type { OrderStore, SaveOutcome } from '../orders/ports.js';
import { documentClient, queryAll } from './dynamodb-document.js';

const key = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });

/**
 * The item a failed condition returns. The document client translates responses but not errors (aws-sdk-js-v3#6723),
 * so it comes as DynamoDB attribute values; one already translated (a later SDK) is taken as it is.
 */
function nativeItem(item: Record<string, unknown>): Record<string, unknown> {
  return typeof item.pk === 'string' ? item : unmarshall(item as Record<string, AttributeValue>);
}

export class DynamoDbOrderStore implements OrderStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  private item(o: Order) {
    return { ...key(o.orderId), gsi1pk: `CUSTOMER#${o.customerId}#ORDERS`, gsi1sk: `${o.createdAt}#${o.orderId}`, order: o };
  }

  async get(orderId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(orderId), ConsistentRead: true }));
    return out.Item?.order as Order | undefined;
  }

  async create(o: Order) {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(o), ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async save(o: Order, expectedRevision: number) {
    return (await this.saveOrCurrent(o, expectedRevision)).saved;
  }

  async saveOrCurrent(o: Order, expectedRevision: number): Promise<SaveOutcome> {
    try {
      // ALL_OLD: a lost race answers with the winner's order, which spares the caller a read before it tries again.
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: this.item(o), ConditionExpression: '#o.#r = :r', ExpressionAttributeNames: { '#o': 'order', '#r': 'revision' }, ExpressionAttributeValues: { ':r': expectedRevision }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { saved: true };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { saved: false, current: err.Item ? (nativeItem(err.Item).order as Order) : undefined };
      throw err;
    }
  }

  async linkCharge(chargeId: string, orderId: string) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `CHARGE#${chargeId}`, sk: 'ORDER', orderId } }));
  }

  async orderOfCharge(chargeId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `CHARGE#${chargeId}`, sk: 'ORDER' }, ConsistentRead: true }));
    return out.Item?.orderId as string | undefined;
  }

  async listByCustomer(customerId: string) {
    const items = await queryAll(this.doc, { TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `CUSTOMER#${customerId}#ORDERS` }, ScanIndexForward: false });
    return items.map((i) => i.order as Order);
  }
}
