// The admin dashboard's per-minute tally in DynamoDB Local: a batch's measurements added with one write (count and
// sum), single ones beside them, both summed into the same minute and read back per minute.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbOperationsTally } from '../../../shared/adapters/dynamodb-operations-tally.js';

describe('DynamoDbOperationsTally on DynamoDB Local', () => {
  const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
  const suffix = randomUUID();
  let tally: DynamoDbOperationsTally;
  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, (k) => `${k}-${suffix}`);
    tally = new DynamoDbOperationsTally(dynamo, `main-${suffix}`);
  });

  it('adds a batch’s count and sum in one write, and single measurements one by one', async () => {
    const t = new Date('2026-11-24T10:07:00.000Z');
    await tally.record('LedgerCommitLatency', 30.5, new Date(t.getTime() + 1_000), 3);
    await tally.record('LedgerCommitLatency', 9.5, new Date(t.getTime() + 59_000));
    await tally.record('LedgerCommitLatency', 4, new Date(t.getTime() + 60_000), 2);
    await tally.record('LedgerWriteFailures', 1, t);
    expect(await tally.minutes('LedgerCommitLatency', t, new Date(t.getTime() + 120_000))).toEqual([
      { minute: '2026-11-24T10:07:00.000Z', count: 4, sum: 40 },
      { minute: '2026-11-24T10:08:00.000Z', count: 2, sum: 4 },
    ]);
    expect(await tally.minutes('LedgerWriteFailures', t, t)).toEqual([{ minute: '2026-11-24T10:07:00.000Z', count: 1, sum: 1 }]);
  });
});
