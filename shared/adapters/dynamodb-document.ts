// One way to build document clients. DynamoDBDocumentClient.from() shares the base client's config, so the last
// caller's translate options win for every adapter on that client; they must therefore be the same everywhere.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
