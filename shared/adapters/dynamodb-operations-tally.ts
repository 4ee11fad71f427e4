// OperationsTally in the main table: one item per measurement and minute (TALLY#<name> / <minute ISO>), counted and
// summed with atomic ADDs, gone after two days (TTL). One small write per measurement, or per batch of them (the
// ledger writer adds the count and sum of what it held for up to 10 s at once); read back with one Query.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OperationsTally, TallyName } from '../admin/operations.js';
import { documentClient, queryAll } from './dynamodb-document.js';

const keepSeconds = 2 * 24 * 3600;
const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();

export class DynamoDbOperationsTally implements OperationsTally {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClient(client);
  }

  async record(name: TallyName, sum: number, at: Date, count = 1) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `TALLY#${name}`, sk: minuteOf(at) },
        UpdateExpression: 'ADD #c :n, #s :v SET expiresAt = if_not_exists(expiresAt, :exp)',
        ExpressionAttributeNames: { '#c': 'count', '#s': 'sum' },
        ExpressionAttributeValues: { ':n': count, ':v': sum, ':exp': Math.floor(at.getTime() / 1000) + keepSeconds },
      }),
    );
  }

  async minutes(name: TallyName, from: Date, to: Date) {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': `TALLY#${name}`, ':a': minuteOf(from), ':b': minuteOf(to) },
    });
    return items.map((i) => ({ minute: String(i.sk), count: Number(i.count ?? 0), sum: Number(i.sum ?? 0) }));
  }
}
