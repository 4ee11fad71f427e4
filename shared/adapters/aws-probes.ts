// Health probes over the real clients: each asks its service one cheap, read-only question.
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Probe } from '../platform/check-health.js';

export function dynamoDbTableProbe(client: DynamoDBClient, tableName: string): Probe {
  return async () => {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return { ok: out.Table?.TableStatus === 'ACTIVE', detail: out.Table?.TableStatus };
  };
}

export function s3BucketProbe(client: S3Client, bucket: string): Probe {
  return async () => {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return { ok: true };
  };
}

/** A BigchainDB node answers `GET /` with its software and version. */
export function ledgerProbe(baseUrl: string, headers: Record<string, string>): Probe {
  return async () => {
    const res = await fetch(new URL('/', baseUrl), { headers });
    if (!res.ok) return { ok: false, detail: `HTTP ${res.status}` };
    const info = (await res.json()) as { software?: string; version?: string };
    return { ok: true, detail: `${info.software ?? 'ledger'} ${info.version ?? ''}`.trim() };
  };
}
