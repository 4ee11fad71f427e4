// One way to build document clients. DynamoDBDocumentClient.from() shares the base client's config, so the last
// caller's translate options win for every adapter on that client; they must therefore be the same everywhere.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The sort keys under one partition that start with `prefix`, every page. */
export async function sortKeysUnder(doc: DynamoDBDocumentClient, table: string, pk: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': prefix }, ExclusiveStartKey: start }));
    for (const i of page.Items ?? []) keys.push(String(i.sk));
    start = page.LastEvaluatedKey;
  } while (start);
  return keys;
}

/** Items by key, 100 at a time, retrying what DynamoDB leaves unprocessed. */
export async function batchGet(doc: DynamoDBDocumentClient, table: string, keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    while (pending.length) {
      const res = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
      out.push(...(res.Responses?.[table] ?? []));
      pending = (res.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return out;
}
