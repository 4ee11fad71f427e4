// Notifications in the single table: the inbox (USER#<id> / NOTE#<at>#<id>) and the outbox (OUTBOX / <at>#<id>,
// with gsi1 for the sender), plus a marker per notification id, all in one transaction; several notifications given
// together share it.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notification, Notifications } from '../orders/notifications.js';
import { documentClient } from './dynamodb-document.js';

const itemsPerNotification = 3;
/** 8 × 3 items: within the 25 items a transaction could hold before DynamoDB raised the limit to 100. */
const perTransaction = 8;

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
      { Put: { TableName: this.table, Item: { pk: `NOTIFICATION#${n.notificationId}`, sk: 'SENT' }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: this.table, Item: { pk: `USER#${n.userId}`, sk: `NOTE#${n.at}#${n.notificationId}`, notification: n } } },
      { Put: { TableName: this.table, Item: { pk: 'OUTBOX', sk: `${n.at}#${n.notificationId}`, notification: n, status: 'pending' } } },
    ];
  }

  async inbox(userId: string, limit: number) {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)', ExpressionAttributeValues: { ':p': `USER#${userId}`, ':n': 'NOTE#' }, ScanIndexForward: false, Limit: limit }),
    );
    return (out.Items ?? []).map((i) => i.notification as Notification);
  }
}
