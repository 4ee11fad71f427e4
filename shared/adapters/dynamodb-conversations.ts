// Each party's conversations in the single table: CONVERSATIONS#<party> / ORDER#<orderId>, holding the latest message.
// A write only moves an entry forward in time, so messages recorded out of order leave the newest in place.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConversationEntry, ConversationIndex, OrderMessage } from '../orders/messages.js';
import { conditionalWrite, documentClient, itemsUnder } from './dynamodb-document.js';

export class DynamoDbConversations implements ConversationIndex {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async record(parties: readonly string[], m: OrderMessage) {
    await Promise.all(
      parties.map((party) =>
        // A refusal means a newer message is already the entry's: nothing to do.
        conditionalWrite(
          this.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: { pk: `CONVERSATIONS#${party}`, sk: `ORDER#${m.orderId}` },
              UpdateExpression: 'SET orderId = :o, #last = :m, lastAt = :at',
              ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :at',
              ExpressionAttributeNames: { '#last': 'last' },
              ExpressionAttributeValues: { ':o': m.orderId, ':m': m, ':at': `${m.at}#${m.messageId}` },
            }),
          ),
        ),
      ),
    );
  }

  async list(party: string): Promise<ConversationEntry[]> {
    return (await itemsUnder(this.doc, this.table, `CONVERSATIONS#${party}`, 'ORDER#')).map((i) => ({ orderId: String(i.orderId), last: i.last as OrderMessage }));
  }
}
