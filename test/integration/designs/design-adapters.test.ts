// The designs adapters on the real local servers: DynamoDB Local (transactions, the sparse catalogue index) and
// s3rver (a presigned PUT from "the browser", then the ingest reading it back).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { provisionTables } from '../../../local/provision-tables.js';
import type { LocalServer } from '../../../local/server.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { startS3 } from '../../../local/servers/s3.js';
import { DynamoDbDesignStore } from '../../../shared/adapters/dynamodb-design-store.js';
import { S3BlobStore } from '../../../shared/adapters/s3-blob-store.js';
import { createDesign, quarantineKey } from '../../../shared/designs/create-design.js';
import { ingestDesign } from '../../../shared/designs/ingest-design.js';
import { updateDesignTerms } from '../../../shared/designs/manage-design.js';
import { searchDesigns } from '../../../shared/designs/search-designs.js';
import { InMemoryDataKeys, RecordedDesignEvents } from '../../support/fakes/designs.js';
import { binaryStl, box } from '../../support/meshes.js';

const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
const tableName = `designs-${randomUUID()}`;
const terms = { priceCents: 1500, royaltyCents: 500, editionSize: 100, allowedMaterials: ['PLA' as const], commercialUse: true };

describe('designs adapters on DynamoDB Local and s3rver', () => {
  let dir: string;
  let s3server: LocalServer;
  let s3: S3Client;
  let deps: {
    designs: DynamoDbDesignStore;
    uploads: S3BlobStore;
    sealedFiles: S3BlobStore;
    previews: S3BlobStore;
    dataKeys: InMemoryDataKeys;
    events: RecordedDesignEvents;
    newId: () => string;
    now: () => Date;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-designs-'));
    s3server = await startS3({ port: 0, dataDir: dir, buckets: [{ name: 'uploads', browserUploads: true }, { name: 'sealed', browserUploads: false }, { name: 'previews', browserUploads: false }] });
    s3 = new S3Client({ endpoint: s3server.url, region: localRegion, credentials: localCredentials, forcePathStyle: true });
    await provisionTables(dynamo, { main: tables.main }, () => tableName);
    let t = 0;
    deps = {
      designs: new DynamoDbDesignStore(dynamo, tableName),
      uploads: new S3BlobStore(s3, 'uploads'),
      sealedFiles: new S3BlobStore(s3, 'sealed'),
      previews: new S3BlobStore(s3, 'previews'),
      dataKeys: new InMemoryDataKeys(),
      events: new RecordedDesignEvents(),
      newId: () => randomUUID(),
      now: () => new Date(Date.UTC(2026, 10, 24) + ++t * 1000),
    };
  });

  afterAll(async () => {
    s3?.destroy();
    await s3server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a browser upload through the presigned URL, ingests it and lists it in the catalogue', async () => {
    const { design, upload } = await createDesign({ designerId: 'alice', draft: { title: 'Gear', description: '', tags: ['gear'], terms } }, deps);
    expect((await deps.designs.catalogue(10)).designs.map((d) => d.designId)).not.toContain(design.designId);
    const put = await fetch(upload.url, { method: 'PUT', headers: { 'content-type': upload.contentType }, body: binaryStl(box(5, 5, 5)) });
    expect(put.status).toBe(200);
    expect(await deps.uploads.size(quarantineKey(design.designId))).toBe(84 + 12 * 50);

    const listed = await ingestDesign({ designerId: 'alice', designId: design.designId }, deps);
    expect(listed.status).toBe('listed');
    expect(await deps.uploads.size(quarantineKey(design.designId))).toBeUndefined();
    expect(await deps.designs.get(design.designId)).toEqual(listed);
    expect((await searchDesigns({ text: 'gear', limit: 5 }, deps)).items.map((d) => d.designId)).toContain(design.designId);
  });

  it('keeps terms versions and refuses a stale revision', async () => {
    const { design } = await createDesign({ designerId: 'bob', draft: { title: 'Vase', description: '', tags: [], terms } }, deps);
    await updateDesignTerms({ designerId: 'bob', designId: design.designId, terms: { ...terms, priceCents: 2500 } }, deps);
    expect((await deps.designs.termsHistory(design.designId)).map((t) => t.priceCents)).toEqual([1500, 2500]);
    expect(await deps.designs.save({ ...design, title: 'stale' }, design.revision)).toBe(false);
    expect(await deps.designs.create(design)).toBe(false);
    expect((await deps.designs.listByDesigner('bob')).map((d) => d.designId)).toEqual([design.designId]);
    expect(await deps.designs.editionCounts([design.designId, 'no-such-design'])).toEqual(
      new Map([
        [design.designId, { sold: 0, issued: 0 }],
        ['no-such-design', { sold: 0, issued: 0 }],
      ]),
    );
  });

  it('pages through the catalogue with the store’s own tokens', async () => {
    for (let i = 0; i < 3; i++) {
      const { design } = await createDesign({ designerId: 'carol', draft: { title: `Part ${i}`, description: '', tags: [], terms } }, deps);
      await deps.uploads.put(quarantineKey(design.designId), binaryStl(box(1 + i, 1, 1)), 'model/stl');
      await ingestDesign({ designerId: 'carol', designId: design.designId }, deps);
    }
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await deps.designs.catalogue(2, next);
      seen.push(...page.designs.map((d) => d.title));
      next = page.next;
    } while (next);
    expect(seen.filter((t) => t.startsWith('Part '))).toEqual(['Part 2', 'Part 1', 'Part 0']);
    await expect(deps.designs.catalogue(2, 'not-a-token')).rejects.toThrow('page token');
  });
});
