// Creates the described tables in DynamoDB Local, idempotently, so a restart finds its data in place.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../infra/platform.js';

export async function provisionTables(client: DynamoDBClient, tables: Record<string, TableSpec>, nameOf: (k: string) => string): Promise<void> {
  for (const [key, spec] of Object.entries(tables)) {
    const TableName = nameOf(key);
    try {
      await client.send(new DescribeTableCommand({ TableName }));
      continue;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    const attrs = new Set<string>([spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])]);
    for (const ix of spec.indexes) {
      attrs.add(ix.partitionKey);
      if (ix.sortKey) attrs.add(ix.sortKey);
    }
    const AttributeDefinitions: AttributeDefinition[] = [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions,
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: 'HASH' },
          ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' as const }] : []),
        ],
        GlobalSecondaryIndexes: spec.indexes.length
          ? spec.indexes.map((ix) => ({
              IndexName: ix.name,
              KeySchema: [
                { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
                ...(ix.sortKey ? [{ AttributeName: ix.sortKey, KeyType: 'RANGE' as const }] : []),
              ],
              Projection: { ProjectionType: 'ALL' as const },
            }))
          : undefined,
      }),
    );
    if (spec.ttlAttribute) {
      await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true } }));
    }
  }
}
