// The conversation index on DynamoDB Local: an entry only moves forward in time, so a message recorded late (a retry,
// or two writers racing) leaves the newer one in place, and is no error.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbConversations } from '../../../shared/adapters/dynamodb-conversations.js';
import type { OrderMessage } from '../../../shared/orders/messages.js';

const endpoint = inject('dynamoDbUrl');
const table = `conversations-${randomUUID()}`;
const client = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
const hex = () => randomBytes(8).toString('hex');

const message = (orderId: string, at: string, text: string): OrderMessage => ({ orderId, messageId: `msg_${hex()}`, from: 'customer', text, at });

describe('conversations on DynamoDB Local', () => {
  beforeAll(async () => {
    await provisionTables(client, { main: tables.main }, () => table);
  });

  it('keeps the newest message of each order for every party, whatever order they were recorded in', async () => {
    const index = new DynamoDbConversations(client, table);
    const [customer, printer] = [`customer:${hex()}`, `printer:${hex()}`];
    const [a, b] = [`ord_${hex()}`, `ord_${hex()}`];
    const newer = message(a, '2026-12-03T10:00:02.000Z', 'newer');
    await index.record([customer, printer], newer);
    // Recorded after the newer one: refused by the condition, and no error.
    await expect(index.record([customer, printer], message(a, '2026-12-03T10:00:01.000Z', 'older'))).resolves.toBeUndefined();
    await index.record([customer], message(b, '2026-12-03T10:00:00.000Z', 'other order'));

    const byOrder = (entries: Awaited<ReturnType<typeof index.list>>) => Object.fromEntries(entries.map((e) => [e.orderId, e.last.text]));
    expect(byOrder(await index.list(customer))).toEqual({ [a]: 'newer', [b]: 'other order' });
    expect(byOrder(await index.list(printer))).toEqual({ [a]: 'newer' });

    // A later message moves the entry on.
    await index.record([printer], message(a, '2026-12-03T10:00:03.000Z', 'latest'));
    expect(byOrder(await index.list(printer))).toEqual({ [a]: 'latest' });
  });

  it('fails on any other error than its condition', async () => {
    const index = new DynamoDbConversations(client, `missing-${randomUUID()}`);
    await expect(index.record([`customer:${hex()}`], message(`ord_${hex()}`, '2026-12-03T10:00:00.000Z', 'x'))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
