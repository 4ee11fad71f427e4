// Design previews on the embedded platform, over HTTP: made at ingest, stored sealed in their own bucket, served as
// binary STL with caching headers. A listed design's preview is public; a rejected upload's is its designer's alone;
// another designer and anonymous callers get what a missing design gets. Designs ingested before previews existed
// answer 404 with a message that says so.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localNames } from '../../local/names.js';
import { localCredentials, localRegion } from '../../local/servers/local-aws.js';
import { DynamoDbDesignStore } from '../../shared/adapters/dynamodb-design-store.js';
import { previewTriangleCap } from '../../shared/designs/preview.js';
import { parseStl } from '../../shared/designs/stl.js';
import { binaryStl, box, torus } from '../support/meshes.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const terms = { priceCents: 1200, royaltyCents: 400, editionSize: 50, allowedMaterials: ['PLA'], commercialUse: false };

describe('design previews over HTTP', () => {
  let t: TestPlatform;
  let s3: S3Client;
  let dynamo: DynamoDBClient;
  const uploaded = binaryStl(torus(30, 8, 360, 90)); // 64,800 triangles: over the cap
  let listedId = '';
  let rejectedId = '';

  const api = (path: string, as?: string, init: RequestInit = {}) => t.api(path, as, init);

  async function design(as: string, title: string, stl?: Uint8Array<ArrayBuffer>): Promise<{ designId: string; status: string }> {
    const created = await api('/designs', as, { method: 'POST', body: JSON.stringify({ title, terms }) });
    expect(created.status).toBe(201);
    const { design: d, upload } = (await created.json()) as { design: { designId: string; status: string }; upload: { url: string; contentType: string } };
    if (!stl) return d;
    expect((await fetch(upload.url, { method: 'PUT', headers: { 'content-type': upload.contentType }, body: stl })).status).toBe(200);
    const ingested = await api(`/designs/${d.designId}/ingest`, as, { method: 'POST' });
    expect(ingested.status).toBe(200);
    return (await ingested.json()) as { designId: string; status: string };
  }

  beforeAll(async () => {
    t = await startTestPlatform();
    s3 = new S3Client({ endpoint: t.platform.urls.s3, region: localRegion, credentials: localCredentials, forcePathStyle: true });
    dynamo = new DynamoDBClient({ endpoint: t.platform.urls.dynamodb, region: localRegion, credentials: localCredentials });
    // A second designer, signed up as anyone would.
    const email = `preview-${randomUUID().slice(0, 8)}@dpm.test`;
    const password = 'Preview-designer-1!';
    expect((await api('/signup', undefined, { method: 'POST', body: JSON.stringify({ email, password, role: 'designer', displayName: 'Other designer' }) })).status).toBe(201);
    const idp = new CognitoIdentityProviderClient({ endpoint: t.platform.urls.cognito, region: localRegion, credentials: localCredentials });
    const auth = await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: t.platform.userPool.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } }));
    idp.destroy();
    t.tokens['designer-2'] = auth.AuthenticationResult!.IdToken!;

    const listed = await design('designer', 'Preview torus', uploaded);
    expect(listed.status).toBe('listed');
    listedId = listed.designId;
    const rejected = await design('designer', 'Open box', binaryStl(box(10, 10, 10).slice(18)));
    expect(rejected.status).toBe('rejected');
    rejectedId = rejected.designId;
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    dynamo?.destroy();
    await t?.close();
  });

  it('serves a listed design’s preview to anyone: binary STL under the cap, not the uploaded file, cacheable', async () => {
    const r = await api(`/designs/${listedId}/preview`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('model/stl');
    expect(r.headers.get('cache-control')).toBe('public, max-age=86400');
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    const mesh = parseStl(bytes, { maxBytes: 1e8 });
    expect(mesh.triangleCount).toBeLessThanOrEqual(previewTriangleCap);
    expect(mesh.triangleCount).toBeGreaterThan(1000);
    expect(bytes.length).toBeLessThan(uploaded.length);
    expect(Buffer.from(bytes).equals(Buffer.from(uploaded))).toBe(false);
    expect(mesh.name).toContain('not the printable design');

    // Revalidation costs no decryption: the entity tag answers it.
    const again = await api(`/designs/${listedId}/preview`, undefined, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);

    // The public design page says there is one, and how detailed; never where it is kept.
    const page = (await (await api(`/designs/${listedId}`)).json()) as { preview?: { triangleCount: number } };
    expect(page.preview?.triangleCount).toBe(mesh.triangleCount);
    expect(JSON.stringify(page)).not.toContain('previews/');
    // Another designer may see a listed design's preview on its public route too.
    expect((await api(`/designs/${listedId}/preview`, 'designer-2')).status).toBe(200);
  });

  it('serves the owner their own previews on /me, drafts included, privately; others get 404, anonymous callers 401', async () => {
    for (const id of [listedId, rejectedId]) {
      const own = await api(`/me/designs/${id}/preview`, 'designer');
      expect(own.status, id).toBe(200);
      expect(own.headers.get('cache-control')).toBe('private, max-age=3600');
      expect(parseStl(new Uint8Array(await own.arrayBuffer()), { maxBytes: 1e8 }).triangleCount).toBeGreaterThan(0);

      const other = await api(`/me/designs/${id}/preview`, 'designer-2');
      expect(other.status, id).toBe(404);
      expect(((await other.json()) as { message: string }).message).toBe(`No design ${id}`);
      expect((await api(`/me/designs/${id}/preview`)).status).toBe(401);
      expect((await api(`/me/designs/${id}/preview`, 'customer')).status).toBe(403);
    }
    // A rejected upload's preview is not public: the same answer as a design that does not exist.
    const hidden = await api(`/designs/${rejectedId}/preview`);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual({ error: 'NotFound', message: `No design ${rejectedId}` });
    expect((await api(`/designs/${rejectedId}/preview`, 'designer-2')).status).toBe(404);
  });

  it('says “No preview yet” for a draft without a file and for designs ingested before previews existed', async () => {
    const draft = await design('designer', 'Not uploaded yet');
    const none = await api(`/me/designs/${draft.designId}/preview`, 'designer');
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: 'NotFound', message: expect.stringContaining('No preview yet'), details: { reason: 'no-preview' } });

    // An old design: listed, but its record has no preview (as every design ingested before this change).
    const old = await design('designer', 'Ingested long ago', binaryStl(box(20, 20, 5)));
    const store = new DynamoDbDesignStore(dynamo, localNames.table('main'));
    const record = (await store.get(old.designId))!;
    const { preview: _dropped, ...before } = record;
    expect(await store.save({ ...before, revision: record.revision + 1 }, record.revision)).toBe(true);
    const legacy = await api(`/designs/${old.designId}/preview`);
    expect(legacy.status).toBe(404);
    expect(((await legacy.json()) as { message: string }).message).toMatch(/^No preview yet: this design was ingested before previews were made/);
    expect(((await (await api(`/designs/${old.designId}`)).json()) as { preview?: unknown }).preview).toBeUndefined();
  });

  it('keeps previews sealed in their own bucket, apart from the designs', async () => {
    const keys = async (bucket: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
    const previews = await keys(localNames.bucket('previews'));
    expect(previews).toEqual(expect.arrayContaining([`previews/${listedId}.stl.sealed`, `previews/${rejectedId}.stl.sealed`]));
    expect((await keys(localNames.bucket('designs'))).filter((k) => k.startsWith('previews/'))).toEqual([]);
    const stored = await (await s3.send(new GetObjectCommand({ Bucket: localNames.bucket('previews'), Key: `previews/${listedId}.stl.sealed` }))).Body!.transformToByteArray();
    expect(Buffer.from(stored).subarray(0, 4).toString()).toBe('DPME');
    expect(Buffer.from(stored).includes(Buffer.from('DPM preview'))).toBe(false);
  });
});
