// Notifications in the single table: each is one item under its id (NOTIFICATION#<id> / SENT), whose existence makes
// it sent once and which is the inbox entry too (gsi1: USER#<id>#NOTES / <at>#<id>, newest first), and one in the
// outbox (OUTBOX / <at>#<id>), both in one transaction; several notifications given together share it. The marker
// and the inbox entry were separate items until the marker carried the inbox: a transaction item costs DynamoDB Local
// about as much CPU as a request of its own (measured: 8.3–10.2 ms for three notifications of three items, 6.1–7.3
// ms with two), and a delivered order tells three people. The inbox entries written before (USER#<id> / NOTE#<at>#<id>)
// are still read.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notification, Notifications } from '../orders/notifications.js';
import { documentClient } from './dynamodb-document.js';

const itemsPerNotification = 2;
/** 12 × 2 items: within the 25 items a transaction could hold before DynamoDB raised the limit to 100. */
const perTransaction = 12;

export class DynamoDbNotifications implements Notifications {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  notify(n: Notification) {
    return this.notifyAll([n]);
  }

  async notifyAll(ns: readonly Notification[]) {
    // A transaction may touch an item once, so an id given twice is written once.
    const unique = [...new Map(ns.map((n) => [n.notificationId, n])).values()];
    for (let i = 0; i < unique.length; i += perTransaction) await this.write(unique.slice(i, i + perTransaction));
  }

  /**
   * One transaction for all of `ns`. If some were sent before (a replay), their markers' conditions fail and cancel
   * it; those are dropped and the rest written again, so each goes out once however the earlier attempts ended.
   */
  private async write(ns: Notification[]) {
    let pending = ns;
    while (pending.length) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: pending.flatMap((n) => this.items(n)) }));
        return;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        const sent = new Set(pending.filter((_, k) => err.CancellationReasons?.[k * itemsPerNotification]?.Code === 'ConditionalCheckFailed'));
        if (sent.size === 0) throw err;
        pending = pending.filter((n) => !sent.has(n));
      }
    }
  }

  /** The marker first: `write` reads a notification's cancellation reason at its marker's index. */
  private items(n: Notification) {
    return [
      {
        Put: {
          TableName: this.table,
          Item: { pk: `NOTIFICATION#${n.notificationId}`, sk: 'SENT', gsi1pk: `USER#${n.userId}#NOTES`, gsi1sk: `${n.at}#${n.notificationId}`, notification: n },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: this.table, Item: { pk: 'OUTBOX', sk: `${n.at}#${n.notificationId}`, notification: n, status: 'pending' } } },
    ];
  }

  /**
   * Newest first. Read from the index, which in AWS may lag a write by a moment (the notification shows on the next
   * look); entries from before the index are read beside it.
   */
  async inbox(userId: string, limit: number) {
    const [indexed, earlier] = await Promise.all([
      this.doc.send(new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `USER#${userId}#NOTES` }, ScanIndexForward: false, Limit: limit })),
      this.doc.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)', ExpressionAttributeValues: { ':p': `USER#${userId}`, ':n': 'NOTE#' }, ScanIndexForward: false, Limit: limit }),
      ),
    ]);
    const newestFirst = (n: Notification) => `${n.at}#${n.notificationId}`;
    return [...(indexed.Items ?? []), ...(earlier.Items ?? [])]
      .map((i) => i.notification as Notification)
      .sort((a, b) => newestFirst(b).localeCompare(newestFirst(a)))
      .slice(0, limit);
  }
}
