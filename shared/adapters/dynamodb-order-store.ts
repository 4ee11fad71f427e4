// Orders in the single table: ORDER#id / ORDER, and gsi1 as each customer's order history, newest first.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../orders/order.js';
import type { OrderStore } from '../orders/ports.js';
import { documentClient, queryAll } from './dynamodb-document.js';

const key = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });

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

  private async put(o: Order, condition: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> }) {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(o), ConditionExpression: condition.expression, ExpressionAttributeNames: condition.names, ExpressionAttributeValues: condition.values }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  create(o: Order) {
    return this.put(o, { expression: 'attribute_not_exists(pk)' });
  }

  save(o: Order, expectedRevision: number) {
    return this.put(o, { expression: '#o.#r = :r', names: { '#o': 'order', '#r': 'revision' }, values: { ':r': expectedRevision } });
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
