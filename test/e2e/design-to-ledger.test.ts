// The platform end to end, in-process on free ports: a designer uploads an STL through a presigned URL, the design
// is ingested (checked, sealed), its registration travels bus → rule → FIFO queue → ledger writer → ledger, and
// `dpm verify` checks it from the ledger alone. Along the way, other users are kept out of what is not theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { main as dpm } from '../../cli/main.js';
import type { RunningPlatform } from '../../local/runtime.js';
import { binaryStl, box } from '../support/meshes.js';
import { until } from '../support/until.js';

describe('a design, from upload to the ledger', () => {
  let t: TestPlatform;
  let platform: RunningPlatform;

  beforeAll(async () => {
    t = await startTestPlatform();
    ({ platform } = t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const api = (path: string, as?: string, init: RequestInit = {}) => t.api(path, as, init);
  const terms = { priceCents: 2500, royaltyCents: 700, editionSize: 50, allowedMaterials: ['PLA', 'PETG'], commercialUse: false };

  it('registers an uploaded design on the ledger, verifiably', async () => {
    const created = await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Cable clip', tags: ['clip'], terms }) });
    expect(created.status).toBe(201);
    const { design, upload } = (await created.json()) as { design: { designId: string }; upload: { url: string; contentType: string } };
    expect((await fetch(upload.url, { method: 'PUT', headers: { 'content-type': upload.contentType }, body: binaryStl(box(30, 10, 8)) })).status).toBe(200);

    // Nobody else may ingest it; a customer may not even create designs.
    expect((await api(`/designs/${design.designId}/ingest`, 'customer', { method: 'POST' })).status).toBe(403);
    expect((await api('/designs', 'customer', { method: 'POST', body: JSON.stringify({ title: 'Nope', terms }) })).status).toBe(403);

    const ingested = await api(`/designs/${design.designId}/ingest`, 'designer', { method: 'POST' });
    expect(ingested.status).toBe(200);
    const listed = (await ingested.json()) as { status: string; fingerprint: string };
    expect(listed.status).toBe('listed');
    expect(JSON.stringify(listed)).not.toContain('sealed');

    const search = (await (await api('/designs?q=clip&material=PLA')).json()) as { items: { designId: string }[] };
    expect(search.items.map((i) => i.designId)).toContain(design.designId);

    // Bus, rule, FIFO queue and ledger writer take their time on a loaded machine: 30 s rather than 10.
    const [found] = await until(
      'the design on the ledger',
      async () => (await (await fetch(`${platform.urls.ledger}/api/v1/assets?search=${design.designId}`)).json()) as { id: string; data: { fingerprint: string } }[],
      (l) => l.length > 0,
    );
    expect(found!.data.fingerprint).toBe(listed.fingerprint);
    const assetId = found!.id;
    let out = '';
    expect(await dpm(['verify', assetId, '--ledger', platform.urls.ledger!], (s) => (out += s), () => undefined)).toBe(0);
    expect(out).toContain('VERIFIED: 1 transactions');

    // Ingesting again (a retry) changes nothing on the ledger.
    expect((await api(`/designs/${design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const again = (await (await fetch(`${platform.urls.ledger}/api/v1/assets?search=${design.designId}`)).json()) as unknown[];
    expect(again).toHaveLength(1);
  });

  it('keeps the catalogue public and drafts private', async () => {
    expect((await api('/designs')).status).toBe(200);
    const created = await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Secret draft', terms }) });
    const { design } = (await created.json()) as { design: { designId: string } };
    expect((await api(`/designs/${design.designId}`)).status).toBe(404);
    expect((await api(`/designs/${design.designId}/terms`, undefined, { method: 'PUT', body: JSON.stringify(terms) })).status).toBe(401);
    const mine = (await (await api('/me/designs', 'designer')).json()) as { title: string }[];
    expect(mine.map((d) => d.title)).toContain('Secret draft');
  });
});
