import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbProfileStore } from '../../../shared/adapters/dynamodb-profile-store.js';
import { updateProfile } from '../../../shared/profiles/update-profile.js';
import { Conflict } from '../../../shared/errors.js';

const client = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const tableName = `profiles-${randomUUID()}`;

describe('DynamoDbProfileStore against DynamoDB Local', () => {
  beforeAll(async () => {
    await provisionTables(client, { main: tables.main }, () => tableName);
    // Provisioning twice must be a no-op: `npm start` runs it on every start.
    await provisionTables(client, { main: tables.main }, () => tableName);
  });

  it('creates, reads back and versions a profile', async () => {
    const store = new DynamoDbProfileStore(client, tableName);
    const userId = randomUUID();
    const now = () => new Date('2026-11-24T10:00:00Z');
    const first = await updateProfile({ userId, profile: { displayName: 'Ada' } }, { profiles: store, now });
    expect(first).toMatchObject({ userId, displayName: 'Ada', version: 1, updatedAt: '2026-11-24T10:00:00.000Z' });
    const again = await updateProfile({ userId, profile: { displayName: 'Ada' } }, { profiles: store, now });
    expect(again.version).toBe(1);
    const second = await updateProfile({ userId, profile: { displayName: 'Ada L.', bio: 'makes gears' } }, { profiles: store, now });
    expect(second.version).toBe(2);
    expect(await store.get(userId)).toEqual(second);
  });

  it('refuses a write based on a stale version', async () => {
    const store = new DynamoDbProfileStore(client, tableName);
    const userId = randomUUID();
    const base = { userId, displayName: 'x', updatedAt: 't', version: 1 };
    expect(await store.put(base, 0)).toBe(true);
    expect(await store.put({ ...base, version: 2 }, 0)).toBe(false);
    expect(await store.put({ ...base, version: 2 }, 1)).toBe(true);
    expect(await store.put({ ...base, version: 3 }, 1)).toBe(false);
  });

  it('reports a lost race as a Conflict', async () => {
    const store = new DynamoDbProfileStore(client, tableName);
    const racing = { get: store.get.bind(store), put: async () => false };
    await expect(updateProfile({ userId: randomUUID(), profile: { displayName: 'B' } }, { profiles: racing, now: () => new Date() })).rejects.toBeInstanceOf(Conflict);
  });
});
