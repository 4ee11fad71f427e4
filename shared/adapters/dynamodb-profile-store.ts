import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Profile, ProfileStore } from '../profiles/profile.js';
import { conditionalWrite, documentClient } from './dynamodb-document.js';

const key = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });

export class DynamoDbProfileStore implements ProfileStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  async get(userId: string): Promise<Profile | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(userId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...profile } = out.Item;
    return profile as Profile;
  }

  async put(profile: Profile, expectedVersion: number): Promise<boolean> {
    return conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(profile.userId), ...profile },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#v = :v',
          ExpressionAttributeNames: expectedVersion === 0 ? undefined : { '#v': 'version' },
          ExpressionAttributeValues: expectedVersion === 0 ? undefined : { ':v': expectedVersion },
        }),
      ),
    );
  }
}
