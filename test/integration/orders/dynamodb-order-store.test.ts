// The order store on DynamoDB Local, counting the requests made: a save that loses a race answers with the order that
// won it, so advancing an order after a lost race needs no second read.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { countingClient } from '../../support/counting-dynamodb.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbOrderStore, OrderMemory } from '../../../shared/adapters/dynamodb-order-store.js';
import { Conflict } from '../../../shared/errors.js';
import type { Order } from '../../../shared/orders/order.js';
import { update } from '../../../shared/orders/order-records.js';
import { anOrder } from '../../support/fakes/orders.js';

const endpoint = inject('dynamoDbUrl');
const table = `order-store-${randomUUID()}`;

const plain = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
const hex = () => randomBytes(12).toString('hex');

describe('order store on DynamoDB Local', () => {
  beforeAll(async () => {
    await provisionTables(plain, { main: tables.main }, () => table);
  });

  it('answers a save that lost the race with the order that won it, read in the same request', async () => {
    const { client, sent } = countingClient(endpoint);
    const orders = new DynamoDbOrderStore(client, table);
    const order = anOrder({ orderId: `ord_${hex()}`, customerId: `cust-${hex()}` });
    expect(await orders.create(order)).toBe(true);
    const winner = { ...order, status: 'paid' as const, chargeId: 'ch_1', revision: 2 };
    expect(await orders.saveOrCurrent(winner, 1)).toEqual({ saved: true });
    sent.length = 0;

    const lost = await orders.saveOrCurrent({ ...order, status: 'cancelled', revision: 2 }, 1);

    expect(lost).toEqual({ saved: false, current: winner });
    expect(sent).toEqual(['PutItem']);
    expect(await orders.save({ ...order, revision: 2 }, 1)).toBe(false);
    expect(await orders.get(order.orderId)).toEqual(winner);
  });

  it('creates an order in one write, and answers a second creation under its id with the order stored, unchanged', async () => {
    const { client, sent } = countingClient(endpoint);
    const orders = new DynamoDbOrderStore(client, table);
    const order = anOrder({ orderId: `ord_${hex()}`, customerId: `cust-${hex()}` });
    expect(await orders.createOrExisting(order)).toBeUndefined();
    expect(sent).toEqual(['PutItem']);
    sent.length = 0;
    expect(await orders.createOrExisting({ ...order, material: 'PETG' })).toEqual(order);
    expect(sent).toEqual(['PutItem']);
    expect(await orders.get(order.orderId)).toEqual(order);
  });

  it('answers a save of an order that does not exist with no current order', async () => {
    const orders = new DynamoDbOrderStore(plain, table);
    expect(await orders.saveOrCurrent(anOrder({ orderId: `ord_${hex()}`, revision: 2 }), 1)).toEqual({ saved: false, current: undefined });
  });

  it('advances an order from a stale copy with one failed write and no read', async () => {
    const { client, sent } = countingClient(endpoint);
    const orders = new DynamoDbOrderStore(client, table);
    const order = anOrder({ orderId: `ord_${hex()}`, customerId: `cust-${hex()}` });
    await orders.create(order);
    await orders.save({ ...order, chargeId: 'ch_2', revision: 2 }, 1);
    sent.length = 0;

    const saved = await update(orders, order.orderId, () => new Date('2026-12-02T11:00:00Z'), (o) => ({ ...o, status: 'paid' }), order);

    expect(saved).toMatchObject({ status: 'paid', chargeId: 'ch_2', revision: 3 });
    expect(sent).toEqual(['PutItem', 'PutItem']);
    expect(await orders.get(order.orderId)).toEqual(saved);
  });

  it('stores the order as one JSON attribute beside its revision and keys', async () => {
    const orders = new DynamoDbOrderStore(plain, table);
    const order = anOrder({ orderId: `ord_${hex()}`, customerId: `cust-${hex()}` });
    await orders.create(order);
    const raw = (await plain.send(new GetItemCommand({ TableName: table, Key: marshall({ pk: `ORDER#${order.orderId}`, sk: 'ORDER' }), ConsistentRead: true }))).Item!;
    expect(Object.keys(raw).sort()).toEqual(['gsi1pk', 'gsi1sk', 'json', 'pk', 'revision', 'sk']);
    expect(JSON.parse(raw.json!.S!)).toEqual(order);
    expect(raw.revision).toEqual({ N: '1' });
  });

  it('reads, lists and advances an order stored as a map before, and rewrites it as JSON', async () => {
    const { client, sent } = countingClient(endpoint);
    const orders = new DynamoDbOrderStore(client, table);
    const customerId = `cust-${hex()}`;
    const order = anOrder({ orderId: `ord_${hex()}`, customerId });
    const itemOfOld = { pk: `ORDER#${order.orderId}`, sk: 'ORDER', gsi1pk: `CUSTOMER#${customerId}#ORDERS`, gsi1sk: `${order.createdAt}#${order.orderId}`, order };
    await plain.send(new PutItemCommand({ TableName: table, Item: marshall(itemOfOld, { removeUndefinedValues: true }) }));

    expect(await orders.get(order.orderId)).toEqual(order);
    expect(await orders.listByCustomer(customerId)).toEqual([order]);
    // A stale revision is refused by the old item's own revision, and the refusal carries the old order.
    expect(await orders.saveOrCurrent({ ...order, revision: 5 }, 4)).toEqual({ saved: false, current: order });
    sent.length = 0;
    const saved = await update(orders, order.orderId, () => new Date('2026-12-02T11:00:00Z'), (o) => ({ ...o, status: 'paid' }));
    expect(sent).toEqual(['GetItem', 'PutItem']);
    expect(saved).toMatchObject({ status: 'paid', revision: 2 });
    const raw = (await plain.send(new GetItemCommand({ TableName: table, Key: marshall({ pk: `ORDER#${order.orderId}`, sk: 'ORDER' }), ConsistentRead: true }))).Item!;
    expect(raw.order).toBeUndefined();
    expect(JSON.parse(raw.json!.S!)).toEqual(saved);
  });

  it('advances an order its instance last wrote with no read, and from a stale memory with one failed write', async () => {
    const { client, sent } = countingClient(endpoint);
    const memory = new OrderMemory();
    // Two handlers of one instance share the memory; another instance (no memory in common) writes too.
    const handler = new DynamoDbOrderStore(client, table, memory);
    const sibling = new DynamoDbOrderStore(client, table, memory);
    const elsewhere = new DynamoDbOrderStore(plain, table);
    const order = anOrder({ orderId: `ord_${hex()}`, customerId: `cust-${hex()}` });
    await sibling.create(order);
    const now = () => new Date('2026-12-03T11:00:00Z');
    sent.length = 0;
    const paid = await update(handler, order.orderId, now, (o) => ({ ...o, status: 'paid' }));
    expect(sent).toEqual(['PutItem']);
    expect(paid).toMatchObject({ status: 'paid', revision: 2 });
    // Each answer is a copy of its own: changing it changes nothing remembered.
    handler.lastSeen(order.orderId)!.status = 'cancelled';
    expect(sibling.lastSeen(order.orderId)).toEqual(paid);

    await elsewhere.save({ ...paid, chargeId: 'ch_3', revision: 3 }, 2);
    sent.length = 0;
    const printing = await update(handler, order.orderId, now, (o) => ({ ...o, status: 'printing' }));
    expect(sent).toEqual(['PutItem', 'PutItem']);
    expect(printing).toMatchObject({ status: 'printing', chargeId: 'ch_3', revision: 4 });
    expect(await elsewhere.get(order.orderId)).toEqual(printing);

    // Nothing to do on the remembered copy proves nothing: the order is read before giving up.
    await elsewhere.save({ ...printing, status: 'printed', revision: 5 }, 4);
    sent.length = 0;
    const printed = await update(handler, order.orderId, now, (o) => (o.status === 'printing' ? undefined : { ...o, chargeId: 'ch_4' }));
    expect(sent).toEqual(['GetItem', 'PutItem']);
    expect(printed).toMatchObject({ status: 'printed', chargeId: 'ch_4', revision: 6 });

    // A change that refuses the remembered copy is tried on a fresh read, and refuses that only if it is still so.
    await elsewhere.save({ ...printed, status: 'shipped', revision: 7 }, 6);
    const mustBeShipped = (o: Order) => {
      if (o.status !== 'shipped') throw new Conflict(`Order ${o.orderId} is ${o.status}`);
      return { ...o, chargeId: 'ch_5' };
    };
    sent.length = 0;
    expect(await update(handler, order.orderId, now, mustBeShipped)).toMatchObject({ status: 'shipped', chargeId: 'ch_5', revision: 8 });
    expect(sent).toEqual(['GetItem', 'PutItem']);
    await expect(update(handler, order.orderId, now, (o) => mustBeShipped({ ...o, status: 'completed' }))).rejects.toThrow(`Order ${order.orderId} is completed`);
  });

  it('keeps the latest revision it saw, whatever order the answers came in, and only so many orders', async () => {
    const memory = new OrderMemory(2);
    const order = anOrder({ orderId: `ord_${hex()}` });
    memory.remember(order.orderId, 3, JSON.stringify({ ...order, revision: 3 }));
    memory.remember(order.orderId, 2, JSON.stringify({ ...order, revision: 2 }));
    expect(memory.recall(order.orderId)?.revision).toBe(3);
    memory.remember('ord_b', 1, '{}');
    memory.remember('ord_c', 1, '{}');
    // The least recently used goes first.
    expect(memory.recall(order.orderId)).toBeUndefined();
    // A store with no memory remembers nothing.
    expect(new DynamoDbOrderStore(plain, table).lastSeen('ord_b')).toBeUndefined();
  });
});
