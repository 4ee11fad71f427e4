// Issued tags in the single table: TAG#<gtin>#<serial> / TAG, the read counter advanced with a conditional update.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TagRecord, TagStore } from '../tags/ports.js';
import { conditionalWrite, documentClient } from './dynamodb-document.js';

const key = (gtin: string, serial: string) => ({ pk: `TAG#${gtin}#${serial}`, sk: 'TAG' });

export class DynamoDbTagStore implements TagStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async put(tag: TagRecord) {
    await conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key(tag.gtin, tag.serial), ...tag }, ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async get(gtin: string, serial: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(gtin, serial), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...tag } = out.Item;
    return tag as TagRecord;
  }

  async advanceCounter(gtin: string, serial: string, counter: number) {
    return conditionalWrite(
      this.doc.send(new UpdateCommand({ TableName: this.table, Key: key(gtin, serial), UpdateExpression: 'SET lastCounter = :c', ConditionExpression: 'attribute_exists(pk) AND lastCounter < :c', ExpressionAttributeValues: { ':c': counter } })),
    );
  }
}
