// Starts the slow shared servers (the DynamoDB Local JVM) once for the whole integration tier, on free ports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDb } from '../../local/servers/dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'dpm-it-'));
  const dynamo = await startDynamoDb({ port: 0, dataDir: join(dir, 'dynamodb') });
  project.provide('dynamoDbUrl', dynamo.url);
  return async () => {
    await dynamo.close();
    await rm(dir, { recursive: true, force: true });
  };
}
