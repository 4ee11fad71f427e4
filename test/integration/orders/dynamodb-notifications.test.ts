// Notifications on DynamoDB Local, counting the requests made: several notifications go out in one transaction, and
// a replay sends none of them twice, also when an earlier attempt sent only some.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { countingClient } from '../../support/counting-dynamodb.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbNotifications } from '../../../shared/adapters/dynamodb-notifications.js';
import { notificationId, type Notification, type NotificationKind } from '../../../shared/orders/notifications.js';

const endpoint = inject('dynamoDbUrl');
const table = `notifications-${randomUUID()}`;

const plain = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
const doc = DynamoDBDocumentClient.from(plain);
const hex = () => randomBytes(12).toString('hex');

async function outbox(orderId: string): Promise<string[]> {
  const out = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'OUTBOX' }, ConsistentRead: true }));
  return (out.Items ?? []).map((i) => i.notification as Notification).filter((n) => n.orderId === orderId).map((n) => n.notificationId).sort();
}

function note(orderId: string, userId: string, kind: NotificationKind): Notification {
  return { notificationId: notificationId(orderId, kind, userId), userId, kind, orderId, text: `${kind} for ${userId}`, at: '2026-12-02T10:00:00.000Z' };
}

describe('notifications on DynamoDB Local', () => {
  beforeAll(async () => {
    await provisionTables(plain, { main: tables.main }, () => table);
  });

  it('writes several notifications in one transaction, and a replay writes none of them again', async () => {
    const { client, sent } = countingClient(endpoint);
    const notifications = new DynamoDbNotifications(client, table);
    const orderId = `ord_${hex()}`;
    const ns = [note(orderId, `cust-${hex()}`, 'order-completed'), note(orderId, `des-${hex()}`, 'royalty-earned'), note(orderId, `op-${hex()}`, 'payout-earned')];

    await notifications.notifyAll(ns);

    expect(sent).toEqual(['TransactWriteItems']);
    for (const n of ns) expect(await notifications.inbox(n.userId, 10)).toEqual([n]);
    expect(await outbox(orderId)).toEqual(ns.map((n) => n.notificationId).sort());

    sent.length = 0;
    await notifications.notifyAll(ns.map((n) => ({ ...n, at: '2026-12-02T11:00:00.000Z', text: 'replayed' })));

    expect(sent).toEqual(['TransactWriteItems']);
    for (const n of ns) expect(await notifications.inbox(n.userId, 10)).toEqual([n]);
    expect(await outbox(orderId)).toHaveLength(3);
  });

  it('sends only the unsent ones when some went out before (an earlier attempt told one participant)', async () => {
    const { client, sent } = countingClient(endpoint);
    const notifications = new DynamoDbNotifications(client, table);
    const orderId = `ord_${hex()}`;
    const [first, second, third] = [note(orderId, `cust-${hex()}`, 'order-refunded'), note(orderId, `des-${hex()}`, 'payout-reversed'), note(orderId, `op-${hex()}`, 'payout-reversed')];
    await notifications.notify(second!);
    sent.length = 0;

    await notifications.notifyAll([first!, { ...second!, at: '2026-12-02T12:00:00.000Z' }, third!]);

    // The first transaction is cancelled by the marker of the one already sent; the second writes the other two.
    expect(sent).toEqual(['TransactWriteItems', 'TransactWriteItems']);
    expect(await outbox(orderId)).toEqual([first!, second!, third!].map((n) => n.notificationId).sort());
    for (const n of [first!, second!, third!]) expect(await notifications.inbox(n.userId, 10)).toEqual([n]);
  });

  it('writes a notification given twice in one call once', async () => {
    const notifications = new DynamoDbNotifications(plain, table);
    const orderId = `ord_${hex()}`;
    const n = note(orderId, `cust-${hex()}`, 'order-shipped');
    await notifications.notifyAll([n, n]);
    expect(await outbox(orderId)).toEqual([n.notificationId]);
  });

  it('keeps each notification as one item under its id, which is its inbox entry too, beside its outbox entry', async () => {
    const notifications = new DynamoDbNotifications(plain, table);
    const userId = `cust-${hex()}`;
    const n = note(`ord_${hex()}`, userId, 'order-shipped');
    await notifications.notify(n);
    const item = (await doc.send(new GetCommand({ TableName: table, Key: { pk: `NOTIFICATION#${n.notificationId}`, sk: 'SENT' }, ConsistentRead: true }))).Item;
    expect(item).toEqual({ pk: `NOTIFICATION#${n.notificationId}`, sk: 'SENT', gsi1pk: `USER#${userId}#NOTES`, gsi1sk: `${n.at}#${n.notificationId}`, notification: n });
    const underUser = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `USER#${userId}` }, ConsistentRead: true }));
    expect(underUser.Items).toEqual([]);
    expect(await outbox(n.orderId)).toEqual([n.notificationId]);
  });

  it('reads the inbox entries written before beside the new ones, newest first and up to the limit, and their markers still hold', async () => {
    const notifications = new DynamoDbNotifications(plain, table);
    const userId = `cust-${hex()}`;
    const orderId = `ord_${hex()}`;
    // As writers before the index left them: a bare marker and the entry under the user.
    const old = { ...note(orderId, userId, 'order-shipped'), at: '2026-12-01T10:00:00.000Z' };
    await doc.send(new PutCommand({ TableName: table, Item: { pk: `NOTIFICATION#${old.notificationId}`, sk: 'SENT' } }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: `USER#${userId}`, sk: `NOTE#${old.at}#${old.notificationId}`, notification: old } }));
    const newer = { ...note(orderId, userId, 'order-completed'), at: '2026-12-02T10:00:00.000Z' };
    const newest = { ...note(`ord_${hex()}`, userId, 'order-placed'), at: '2026-12-03T10:00:00.000Z' };
    await notifications.notifyAll([newer, newest, { ...old, at: '2026-12-03T11:00:00.000Z', text: 'again' }]);

    expect(await notifications.inbox(userId, 10)).toEqual([newest, newer, old]);
    expect(await notifications.inbox(userId, 2)).toEqual([newest, newer]);
    expect(await outbox(orderId)).toEqual([newer.notificationId]);
  });
});
