// Order messages in the single table, under the order: ORDER#<id> / MSG#<at>#<messageId>, with a pointer per
// messageId so a retried post finds the message it stored.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderMessage, OrderMessages } from '../orders/messages.js';
import { documentClient, itemsUnder } from './dynamodb-document.js';

export class DynamoDbOrderMessages implements OrderMessages {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async put(m: OrderMessage) {
    const pointer = { pk: `ORDER#${m.orderId}`, sk: `MSGID#${m.messageId}` };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { ...pointer, message: m }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: { pk: `ORDER#${m.orderId}`, sk: `MSG#${m.at}#${m.messageId}`, message: m } } },
          ],
        }),
      );
      return m;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const stored = await this.doc.send(new GetCommand({ TableName: this.table, Key: pointer, ConsistentRead: true }));
      if (!stored.Item) throw err;
      return stored.Item.message as OrderMessage;
    }
  }

  async list(orderId: string) {
    return (await itemsUnder(this.doc, this.table, `ORDER#${orderId}`, 'MSG#', { consistent: true })).map((i) => i.message as OrderMessage);
  }
}
