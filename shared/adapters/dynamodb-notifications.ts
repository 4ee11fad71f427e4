// Notifications in the single table: the inbox (USER#<id> / NOTE#<at>#<id>) and the outbox (OUTBOX / <at>#<id>,
// with gsi1 for the sender), plus a marker per notification id, all in one transaction.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notification, Notifications } from '../orders/notifications.js';
import { documentClient } from './dynamodb-document.js';

export class DynamoDbNotifications implements Notifications {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async notify(n: Notification) {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk: `NOTIFICATION#${n.notificationId}`, sk: 'SENT' }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: { pk: `USER#${n.userId}`, sk: `NOTE#${n.at}#${n.notificationId}`, notification: n } } },
            { Put: { TableName: this.table, Item: { pk: 'OUTBOX', sk: `${n.at}#${n.notificationId}`, notification: n, status: 'pending' } } },
          ],
        }),
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return;
      throw err;
    }
  }

  async inbox(userId: string, limit: number) {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)', ExpressionAttributeValues: { ':p': `USER#${userId}`, ':n': 'NOTE#' }, ScanIndexForward: false, Limit: limit }),
    );
    return (out.Items ?? []).map((i) => i.notification as Notification);
  }
}
