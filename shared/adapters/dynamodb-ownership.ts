// Product ownership in the single table: PRODUCT#<id> / OWNER, advanced by a conditional write on the transfer count.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Ownership, OwnershipStore } from '../orders/ownership.js';
import { conditionalWrite, documentClient } from './dynamodb-document.js';

const key = (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'OWNER' });

export class DynamoDbOwnership implements OwnershipStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async get(productId: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(productId), ConsistentRead: true }));
    return out.Item?.ownership as Ownership | undefined;
  }

  async save(next: Ownership, expectedTransfers: number) {
    return conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key(next.productId), ownership: next },
          ConditionExpression: expectedTransfers === 0 ? 'attribute_not_exists(pk)' : '#o.transfers = :n',
          ...(expectedTransfers === 0 ? {} : { ExpressionAttributeNames: { '#o': 'ownership' }, ExpressionAttributeValues: { ':n': expectedTransfers } }),
        }),
      ),
    );
  }
}
