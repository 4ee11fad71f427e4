// Edition licences on DynamoDB Local: many concurrent orders never oversell, a retried reservation takes nothing
// more, a release frees capacity without reusing a print number, and design edits keep the counters.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { DynamoDbDesignStore } from '../../../shared/adapters/dynamodb-design-store.js';
import { DynamoDbLicenseReservations } from '../../../shared/adapters/dynamodb-license-reservations.js';
import { createDesign, quarantineKey } from '../../../shared/designs/create-design.js';
import { ingestDesign } from '../../../shared/designs/ingest-design.js';
import { updateDesignTerms, withdrawDesign } from '../../../shared/designs/manage-design.js';
import { countingClient } from '../../support/counting-dynamodb.js';
import { InMemoryBlobStore, InMemoryDataKeys, RecordedDesignEvents } from '../../support/fakes/designs.js';
import { binaryStl, box } from '../../support/meshes.js';

const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const table = `licenses-${randomUUID()}`;
const terms = { priceCents: 1000, royaltyCents: 300, editionSize: 5, allowedMaterials: ['PLA' as const], commercialUse: false };

describe('edition licences', () => {
  const designs = new DynamoDbDesignStore(dynamo, table);
  const licenses = new DynamoDbLicenseReservations(dynamo, table);
  const deps = { designs, uploads: new InMemoryBlobStore(), sealedFiles: new InMemoryBlobStore(), previews: new InMemoryBlobStore(), dataKeys: new InMemoryDataKeys(), events: new RecordedDesignEvents(), newId: () => randomUUID(), now: () => new Date() };

  async function listedDesign(): Promise<string> {
    const { design } = await createDesign({ designerId: 'alice', draft: { title: 'Limited vase', description: '', tags: [], terms } }, deps);
    await deps.uploads.put(quarantineKey(design.designId), binaryStl(box(5, 5, 5)));
    await ingestDesign({ designerId: 'alice', designId: design.designId }, deps);
    return design.designId;
  }

  beforeAll(async () => {
    await provisionTables(dynamo, { main: tables.main }, () => table);
  });

  it('never oversells under concurrent orders, and numbers the prints 1..n', async () => {
    const designId = await listedDesign();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => licenses.reserve({ designId, orderId: `o${i}` })));
    const reserved = results.filter((r) => r.outcome === 'reserved');
    expect(reserved).toHaveLength(5);
    expect(results.filter((r) => r.outcome === 'sold-out')).toHaveLength(7);
    expect(reserved.map((r) => (r.outcome === 'reserved' ? r.printNumber : 0)).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('returns the same reservation to a retried order, releases once, and never reuses a print number', async () => {
    const designId = await listedDesign();
    const first = await licenses.reserve({ designId, orderId: 'a' });
    expect(await licenses.reserve({ designId, orderId: 'a' })).toEqual(first);
    for (const o of ['b', 'c', 'd', 'e']) await licenses.reserve({ designId, orderId: o });
    expect((await licenses.reserve({ designId, orderId: 'f' })).outcome).toBe('sold-out');
    await licenses.release({ designId, orderId: 'b' });
    await licenses.release({ designId, orderId: 'b' });
    const again = await licenses.reserve({ designId, orderId: 'f' });
    expect(again).toMatchObject({ outcome: 'reserved', printNumber: 6 });
    expect((await licenses.reserve({ designId, orderId: 'g' })).outcome).toBe('sold-out');
    // What the designer's list shows: five prints held (one was refunded and taken again), six numbers handed out.
    expect((await designs.editionCounts([designId])).get(designId)).toEqual({ sold: 5, issued: 6 });
  });

  it('keeps the counters when the designer edits the design, and refuses unlisted designs', async () => {
    const designId = await listedDesign();
    await licenses.reserve({ designId, orderId: 'x' });
    await updateDesignTerms({ designerId: 'alice', designId, terms: { ...terms, priceCents: 1200 } }, deps);
    expect(await licenses.reserve({ designId, orderId: 'y' })).toMatchObject({ outcome: 'reserved', printNumber: 2, termsVersion: 2 });
    expect((await licenses.reserve({ designId: 'nope', orderId: 'z' })).outcome).toBe('not-listed');
  });

  it('costs one read and one transaction, and a retry of a reservation held costs no more', async () => {
    const designId = await listedDesign();
    const { client, sent } = countingClient(inject('dynamoDbUrl'));
    const counted = new DynamoDbLicenseReservations(client, table);
    const first = await counted.reserve({ designId, orderId: 'r1' });
    expect(sent).toEqual(['GetItem', 'TransactWriteItems']);
    sent.length = 0;
    // The refused write answers with the reservation held; the counters did not move.
    expect(await counted.reserve({ designId, orderId: 'r1' })).toEqual(first);
    expect(sent).toEqual(['GetItem', 'TransactWriteItems']);
    expect((await designs.editionCounts([designId])).get(designId)).toEqual({ sold: 1, issued: 1 });
  });

  it('returns a reservation held to its retried order even once the edition is sold out or the design withdrawn', async () => {
    const designId = await listedDesign();
    const held = await licenses.reserve({ designId, orderId: 'h1' });
    for (const o of ['h2', 'h3', 'h4', 'h5']) await licenses.reserve({ designId, orderId: o });
    expect((await licenses.reserve({ designId, orderId: 'h6' })).outcome).toBe('sold-out');
    expect(await licenses.reserve({ designId, orderId: 'h1' })).toEqual(held);
    await withdrawDesign({ designerId: 'alice', designId }, deps);
    expect(await licenses.reserve({ designId, orderId: 'h1' })).toEqual(held);
    expect((await licenses.reserve({ designId, orderId: 'h7' })).outcome).toBe('not-listed');
  });
});
