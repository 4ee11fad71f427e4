// One way to build document clients. DynamoDBDocumentClient.from() shares the base client's config, so the last
// caller's translate options win for every adapter on that client; they must therefore be the same everywhere. It
// shares its middleware too, which is where DynamoDB's "not now" answers become DependencyUnavailable.
import { ConditionalCheckFailedException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { reportUnavailable } from './aws-unavailable.js';

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  reportUnavailable(client, 'DynamoDB');
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Every item a query matches, page after page. */
export async function queryAll(doc: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The items under one partition whose sort key starts with `prefix`, every page. */
export function itemsUnder(doc: DynamoDBDocumentClient, table: string, pk: string, prefix: string, opts: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> {
  return queryAll(doc, { TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': prefix }, ConsistentRead: opts.consistent });
}

/** The sort keys under one partition that start with `prefix`, every page. */
export async function sortKeysUnder(doc: DynamoDBDocumentClient, table: string, pk: string, prefix: string): Promise<string[]> {
  return (await itemsUnder(doc, table, pk, prefix)).map((i) => String(i.sk));
}

/** Items by key, 100 at a time, retrying what DynamoDB leaves unprocessed. */
export async function batchGet(doc: DynamoDBDocumentClient, table: string, keys: Record<string, unknown>[], opts: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    while (pending.length) {
      const res = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...(opts.consistent ? { ConsistentRead: true } : {}) } } }));
      out.push(...(res.Responses?.[table] ?? []));
      pending = (res.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return out;
}

/**
 * The item a refused write returns (ReturnValuesOnConditionCheckFailure ALL_OLD). The document client translates
 * responses but not errors (aws-sdk-js-v3#6723), so it comes as DynamoDB attribute values; one already translated (a
 * later SDK) is taken as it is.
 */
export function nativeItem(item: Record<string, unknown>): Record<string, unknown> {
  return typeof item.pk === 'string' ? item : unmarshall(item as Record<string, AttributeValue>);
}

/** Whether a conditional write was made: false when DynamoDB refused it for its condition; other errors are thrown. */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
