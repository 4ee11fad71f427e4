// The DynamoDB Local child process: it answers, keeps its data in the given directory, and is told not to send
// telemetry to AWS; its JVM settings reach it and nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../../local/server.js';
import { javaEnvironment, startDynamoDb } from '../../../local/servers/dynamodb.js';

const childrenOf = (pid: number | 'self') =>
  readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));

const optionsBefore = process.env.JDK_JAVA_OPTIONS;

describe.runIf(process.platform === 'linux')('DynamoDB Local', () => {
  let dir: string;
  let server: LocalServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-ddb-'));
    server = await startDynamoDb({ dataDir: dir });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs on its data directory with telemetry off', async () => {
    expect((await server.health()).ok).toBe(true);
    const java = childrenOf('self').find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir));
    expect(java, 'a child process started on the data directory').toBeDefined();
    const env = readFileSync(`/proc/${java}/environ`, 'utf8').split('\0');
    expect(env).toContain('DDB_LOCAL_TELEMETRY=0');
    expect(env).toContain(`JDK_JAVA_OPTIONS=${javaEnvironment().JDK_JAVA_OPTIONS}`);
    // Set for the spawn alone, not left in this process's environment.
    expect(process.env.JDK_JAVA_OPTIONS).toBe(optionsBefore);
  });
});

describe.runIf(process.platform === 'linux')('DynamoDB Local with both JVM compilers', () => {
  it('is started without the quick-compiler-only option when asked for the optimizing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpm-ddb-c2-'));
    const server = await startDynamoDb({ dataDir: dir, inMemory: true, compilers: 'optimizing' });
    try {
      expect((await server.health()).ok).toBe(true);
      const port = String(new URL(server.url).port);
      const java = childrenOf('self').find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(port));
      expect(java, 'a child process started on the port').toBeDefined();
      const env = readFileSync(`/proc/${java}/environ`, 'utf8').split('\0');
      expect(env).toContain(`JDK_JAVA_OPTIONS=${javaEnvironment('optimizing').JDK_JAVA_OPTIONS}`);
      expect(env.find((v) => v.startsWith('JDK_JAVA_OPTIONS='))).not.toContain('TieredStopAtLevel');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.platform === 'linux')('DynamoDB Local in memory', () => {
  it('keeps no file in the data directory, and starts empty again', async () => {
    const { CreateTableCommand, DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    const { localCredentials, localRegion } = await import('../../../local/servers/local-aws.js');
    const dir = await mkdtemp(join(tmpdir(), 'dpm-ddb-mem-'));
    try {
      const tablesOf = async (url: string) => {
        const client = new DynamoDBClient({ endpoint: url, region: localRegion, credentials: localCredentials });
        try {
          return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
        } finally {
          client.destroy();
        }
      };
      const first = await startDynamoDb({ dataDir: dir, inMemory: true });
      const client = new DynamoDBClient({ endpoint: first.url, region: localRegion, credentials: localCredentials });
      await client.send(new CreateTableCommand({ TableName: 'kept-nowhere', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
      client.destroy();
      expect(await tablesOf(first.url)).toEqual(['kept-nowhere']);
      const java = childrenOf('self').find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('-inMemory'));
      expect(java, 'a child process started with -inMemory').toBeDefined();
      await first.close();
      expect(readdirSync(dir)).toEqual([]);
      const second = await startDynamoDb({ dataDir: dir, inMemory: true });
      expect(await tablesOf(second.url)).toEqual([]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
