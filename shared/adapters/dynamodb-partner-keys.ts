// Partners' API keys in the single table: KEY#<keyId> (looked up on every partner call), listed per partner on gsi1.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PartnerKey, PartnerKeys } from '../partners/api-keys.js';
import { conditionalWrite, documentClient, queryAll } from './dynamodb-document.js';

export class DynamoDbPartnerKeys implements PartnerKeys {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  private key = (keyId: string) => ({ pk: `PARTNER_KEY#${keyId}`, sk: 'KEY' });

  async create(k: PartnerKey) {
    return conditionalWrite(this.doc.send(new PutCommand({ TableName: this.table, Item: { ...this.key(k.keyId), gsi1pk: `PARTNER#${k.partnerId}#KEYS`, gsi1sk: `${k.createdAt}#${k.keyId}`, partnerKey: k }, ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async get(keyId: string) {
    // Strongly consistent: a key revoked a moment ago must not pass.
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.key(keyId), ConsistentRead: true }));
    return out.Item?.partnerKey as PartnerKey | undefined;
  }

  async listByPartner(partnerId: string) {
    const items = await queryAll(this.doc, { TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :k', ExpressionAttributeValues: { ':k': `PARTNER#${partnerId}#KEYS` } });
    return items.map((i) => i.partnerKey as PartnerKey);
  }

  async revoke(keyId: string, at: string) {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(keyId),
          UpdateExpression: 'SET partnerKey.revokedAt = if_not_exists(partnerKey.revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes?.partnerKey as PartnerKey | undefined;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }
}
