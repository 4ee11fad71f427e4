// Orders in the single table: ORDER#id / ORDER, and gsi1 as each customer's order history, newest first. The order is
// one JSON string attribute beside its revision (the only part a condition reads), not a map of its fields: nothing
// queries inside it, and a map costs DynamoDB and the SDK an attribute value per field to encode, check and decode on
// every read and write (DynamoDB Local: about a fifth of the JVM's CPU per order request, and a tenth of ours, for an
// order of 60 fields). Orders written as a map (`order`) before are still read, and rewritten as JSON when next saved.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LRUCache } from 'lru-cache';
import type { Order } from '../orders/order.js';
import type { OrderStore, SaveOutcome } from '../orders/ports.js';
import { conditionalWrite, documentClient, nativeItem, queryAll } from './dynamodb-document.js';

const key = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });

const orderOf = (item: Record<string, unknown> | undefined): Order | undefined =>
  typeof item?.json === 'string' ? (JSON.parse(item.json) as Order) : (item?.order as Order | undefined);

/**
 * Orders as the stores sharing it last read or wrote them (their JSON, so each answer is a copy of its own), for
 * `lastSeen`: a workflow step that only records its task token (waiting for the print, for the delivery) then writes
 * without a read when the order has not changed since. One memory per function instance, shared by its stores; on the
 * embedded platform all the order handlers run in one process and share one, so it holds most orders as last written.
 * A copy that is stale (written since by another instance, or by a store without this memory) costs a refused write.
 */
export class OrderMemory {
  private readonly byId: LRUCache<string, { revision: number; json: string }>;
  constructor(max = 2000) {
    this.byId = new LRUCache({ max });
  }
  /** Answers arrive out of order under concurrency: an older revision than the one remembered is not kept. */
  remember(orderId: string, revision: number, json: string) {
    const known = this.byId.get(orderId);
    if (!known || known.revision <= revision) this.byId.set(orderId, { revision, json });
  }
  recall(orderId: string): Order | undefined {
    const known = this.byId.get(orderId);
    return known && (JSON.parse(known.json) as Order);
  }
}

export class DynamoDbOrderStore implements OrderStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly memory?: OrderMemory,
  ) {
    this.doc = documentClient(client);
  }

  private item(o: Order) {
    return { ...key(o.orderId), gsi1pk: `CUSTOMER#${o.customerId}#ORDERS`, gsi1sk: `${o.createdAt}#${o.orderId}`, revision: o.revision, json: JSON.stringify(o) };
  }

  /** Remembers an order item read or written (only the JSON form: a legacy map is rewritten as JSON when next saved). */
  private seen(item: Record<string, unknown> | undefined) {
    if (this.memory && typeof item?.json === 'string' && typeof item.revision === 'number') this.memory.remember(String(item.pk).slice('ORDER#'.length), item.revision, item.json);
  }

  lastSeen(orderId: string) {
    return this.memory?.recall(orderId);
  }

  async get(orderId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(orderId), ConsistentRead: true }));
    this.seen(out.Item);
    return orderOf(out.Item);
  }

  async create(o: Order) {
    const item = this.item(o);
    const written = await conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    if (written) this.seen(item);
    return written;
  }

  async createOrExisting(o: Order) {
    try {
      // ALL_OLD: an order placed already answers the refused write, so a first placement needs no read before it.
      const item = this.item(o);
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      this.seen(item);
      return undefined;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = err.Item ? this.answered(err.Item) : await this.get(o.orderId);
      // Orders are never deleted, so one that refused the write is there.
      if (!existing) throw err;
      return existing;
    }
  }

  async save(o: Order, expectedRevision: number) {
    return (await this.saveOrCurrent(o, expectedRevision)).saved;
  }

  async saveOrCurrent(o: Order, expectedRevision: number): Promise<SaveOutcome> {
    const item = this.item(o);
    try {
      // ALL_OLD: a lost race answers with the winner's order, which spares the caller a read before it tries again.
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: '#r = :r OR (attribute_not_exists(#r) AND #o.#r = :r)',
          ExpressionAttributeNames: { '#o': 'order', '#r': 'revision' },
          ExpressionAttributeValues: { ':r': expectedRevision },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.seen(item);
      return { saved: true };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { saved: false, current: err.Item ? this.answered(err.Item) : undefined };
      throw err;
    }
  }

  /** The order a refused write answered with (ALL_OLD), which is as fresh as a read. */
  private answered(raw: NonNullable<ConditionalCheckFailedException['Item']>) {
    const item = nativeItem(raw);
    this.seen(item);
    return orderOf(item);
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
    return items.map((i) => orderOf(i)!);
  }
}
