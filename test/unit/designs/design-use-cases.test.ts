import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { open } from '../../../shared/crypto/envelope.js';
import { createDesign, quarantineKey } from '../../../shared/designs/create-design.js';
import type { DesignDraftInput } from '../../../shared/designs/design.js';
import { designContext, ingestDesign, sealedStlKey } from '../../../shared/designs/ingest-design.js';
import { designTermsHistory, updateDesignTerms, withdrawDesign } from '../../../shared/designs/manage-design.js';
import { getDesign, listMyDesigns, searchDesigns } from '../../../shared/designs/search-designs.js';
import { Conflict, Forbidden, NotFound, RuleViolation } from '../../../shared/errors.js';
import { InMemoryBlobStore, InMemoryDataKeys, InMemoryDesignStore, RecordedDesignEvents } from '../../support/fakes/designs.js';
import { asciiStl, binaryStl, box, torus } from '../../support/meshes.js';

const terms = { priceCents: 1500, royaltyCents: 500, editionSize: 100, allowedMaterials: ['PLA', 'PETG'] as const, commercialUse: false };
const draft = (title: string, extra: Partial<DesignDraftInput> = {}): DesignDraftInput => ({
  title,
  description: '',
  tags: [],
  terms: { ...terms, allowedMaterials: [...terms.allowedMaterials] },
  ...extra,
});

describe('designs', () => {
  let deps: ReturnType<typeof makeDeps>;
  let clock: number;
  let ids: number;
  function makeDeps() {
    return {
      designs: new InMemoryDesignStore(),
      uploads: new InMemoryBlobStore(),
      sealedFiles: new InMemoryBlobStore(),
      previews: new InMemoryBlobStore(),
      dataKeys: new InMemoryDataKeys(),
      events: new RecordedDesignEvents(),
      newId: () => `d${++ids}`,
      now: () => new Date(Date.UTC(2026, 10, 24) + ++clock * 1000),
    };
  }
  beforeEach(() => {
    clock = 0;
    ids = 0;
    deps = makeDeps();
  });

  async function listed(title: string, mesh = box(10, 10, 10), extra: Partial<DesignDraftInput> = {}) {
    const { design } = await createDesign({ designerId: 'alice', draft: draft(title, extra) }, deps);
    await deps.uploads.put(quarantineKey(design.designId), binaryStl(mesh));
    return ingestDesign({ designerId: 'alice', designId: design.designId }, deps);
  }

  it('creates a draft with version 1 terms and a presigned upload URL into quarantine', async () => {
    const { design, upload } = await createDesign({ designerId: 'alice', draft: draft('Vase') }, deps);
    expect(design).toMatchObject({ status: 'awaiting-upload', terms: { version: 1, priceCents: 1500 } });
    expect(upload).toMatchObject({ method: 'PUT', url: expect.stringContaining('quarantine/d1.stl') });
  });

  it('refuses a royalty above the price', async () => {
    await expect(createDesign({ designerId: 'alice', draft: draft('X', { terms: { ...terms, allowedMaterials: ['PLA'], royaltyCents: 2000 } }) }, deps)).rejects.toBeInstanceOf(RuleViolation);
  });

  it('ingests: fingerprint of the exact bytes, sealed under the design’s own context, plaintext gone, event published', async () => {
    const stl = asciiStl(box(10, 20, 30));
    const { design } = await createDesign({ designerId: 'alice', draft: draft('Box') }, deps);
    await deps.uploads.put(quarantineKey(design.designId), stl);
    const result = await ingestDesign({ designerId: 'alice', designId: design.designId }, deps);
    if (result.status !== 'listed') throw new Error(result.status);
    const fingerprint = createHash('sha256').update(stl).digest('hex');
    expect(result.stl).toMatchObject({ fingerprint, format: 'ascii', triangleCount: 12, sealedKey: sealedStlKey('d1') });
    expect(deps.uploads.objects.size).toBe(0);
    const sealed = deps.sealedFiles.objects.get(sealedStlKey('d1'))!;
    expect(Buffer.from(sealed).includes(Buffer.from('solid'))).toBe(false);
    expect(Buffer.from(await open(sealed, deps.dataKeys, designContext('d1'))).equals(Buffer.from(stl))).toBe(true);
    await expect(open(sealed, deps.dataKeys, designContext('d2'))).rejects.toThrow();
    expect(deps.events.published).toEqual([expect.objectContaining({ designId: 'd1', fingerprint, termsVersion: 1, licenseTermsHash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
  });

  it('is safe to retry: a second ingest changes nothing and re-publishes the same event', async () => {
    const first = await listed('Box');
    const again = await ingestDesign({ designerId: 'alice', designId: first.designId }, deps);
    expect(again).toEqual(first);
    expect(deps.events.published).toHaveLength(2);
    expect(deps.events.published[1]).toEqual(deps.events.published[0]);
  });

  it('rejects broken and unprintable uploads with the reason, and deletes them', async () => {
    const { design } = await createDesign({ designerId: 'alice', draft: draft('Broken') }, deps);
    await deps.uploads.put(quarantineKey(design.designId), binaryStl(box(1, 1, 1)).subarray(0, 200));
    const broken = await ingestDesign({ designerId: 'alice', designId: design.designId }, deps);
    expect(broken).toMatchObject({ status: 'rejected', rejection: { reason: expect.stringContaining('truncated') } });
    expect(deps.uploads.objects.size).toBe(0);

    await deps.uploads.put(quarantineKey(design.designId), binaryStl(box(1, 1, 1).slice(18)));
    const open = await ingestDesign({ designerId: 'alice', designId: design.designId }, deps);
    expect(open).toMatchObject({ status: 'rejected', rejection: { reason: expect.stringContaining('open edges') } });
    expect(deps.events.published).toEqual([]);
  });

  it('asks for the upload first, and keeps other designers out', async () => {
    const { design } = await createDesign({ designerId: 'alice', draft: draft('Later') }, deps);
    await expect(ingestDesign({ designerId: 'alice', designId: design.designId }, deps)).rejects.toThrow('PUT the STL');
    await expect(ingestDesign({ designerId: 'mallory', designId: design.designId }, deps)).rejects.toBeInstanceOf(Forbidden);
    await expect(updateDesignTerms({ designerId: 'mallory', designId: design.designId, terms: { ...terms, allowedMaterials: ['PLA'] } }, deps)).rejects.toBeInstanceOf(Forbidden);
    await expect(withdrawDesign({ designerId: 'mallory', designId: design.designId }, deps)).rejects.toBeInstanceOf(Forbidden);
  });

  it('keeps every terms version; withdrawal hides the design from search but keeps its history', async () => {
    const d = await listed('Vase');
    await updateDesignTerms({ designerId: 'alice', designId: d.designId, terms: { ...terms, allowedMaterials: ['PLA'], priceCents: 2000 } }, deps);
    expect((await designTermsHistory({ designId: d.designId }, deps)).map((t) => [t.version, t.priceCents])).toEqual([
      [1, 1500],
      [2, 2000],
    ]);
    expect((await searchDesigns({ text: 'vase', limit: 10 }, deps)).total).toBe(1);
    await withdrawDesign({ designerId: 'alice', designId: d.designId }, deps);
    expect((await searchDesigns({ text: 'vase', limit: 10 }, deps)).total).toBe(0);
    expect(await getDesign({ designId: d.designId }, deps)).toMatchObject({ status: 'withdrawn', fingerprint: expect.any(String) });
    await expect(updateDesignTerms({ designerId: 'alice', designId: d.designId, terms: { ...terms, allowedMaterials: ['PLA'] } }, deps)).rejects.toBeInstanceOf(Conflict);
  });

  it('searches text with filters, ranked, paginated with a cursor', async () => {
    await listed('Small gear', box(10, 10, 10), { tags: ['gear'] });
    await listed('Large gear wheel', box(200, 200, 20), { tags: ['gear'] });
    await listed('Ring', torus(10, 2, 24, 12), { description: 'A gear-free ring', terms: { ...terms, allowedMaterials: ['TPU'], priceCents: 900, royaltyCents: 100 } });
    expect((await searchDesigns({ text: 'gear', limit: 10 }, deps)).items.map((i) => i.title)).toEqual(['Large gear wheel', 'Small gear', 'Ring']);
    expect((await searchDesigns({ text: 'gear', maxSizeMm: 50, limit: 10 }, deps)).items.map((i) => i.title)).toEqual(['Small gear', 'Ring']);
    expect((await searchDesigns({ material: 'TPU', limit: 10 }, deps)).items.map((i) => i.title)).toEqual(['Ring']);
    expect((await searchDesigns({ maxPriceCents: 1000, limit: 10 }, deps)).items.map((i) => i.title)).toEqual(['Ring']);
    const page1 = await searchDesigns({ text: 'gear', limit: 2 }, deps);
    const page2 = await searchDesigns({ text: 'gear', limit: 2, cursor: page1.next }, deps);
    expect([...page1.items, ...page2.items].map((i) => i.title)).toEqual(['Large gear wheel', 'Small gear', 'Ring']);
    expect(page2.next).toBeUndefined();
    await expect(searchDesigns({ limit: 2, cursor: 'garbage!' }, deps)).rejects.toThrow('cursor');
  });

  it('shows drafts only to their designer, and never the sealed file’s location', async () => {
    const { design } = await createDesign({ designerId: 'alice', draft: draft('Secret') }, deps);
    await expect(getDesign({ designId: design.designId, callerId: 'bob' }, deps)).rejects.toBeInstanceOf(NotFound);
    expect(await getDesign({ designId: design.designId, callerId: 'alice' }, deps)).toMatchObject({ owner: { status: 'awaiting-upload' } });
    const d = await listed('Public');
    const view = await getDesign({ designId: d.designId, callerId: 'bob' }, deps);
    expect(JSON.stringify(view)).not.toContain('sealed');
    expect(JSON.stringify(await getDesign({ designId: d.designId, callerId: 'alice' }, deps))).not.toContain('sealed');
    expect((await listMyDesigns({ designerId: 'alice' }, deps)).map((x) => x.title).sort()).toEqual(['Public', 'Secret']);
  });

  it('lists a designer’s designs with the prints each edition gave out', async () => {
    const d = await listed('Sold well');
    deps.designs.editions.set(d.designId, { sold: 3, issued: 4 });
    const draftOnly = (await createDesign({ designerId: 'alice', draft: draft('Nothing sold') }, deps)).design;
    const mine = await listMyDesigns({ designerId: 'alice' }, deps);
    expect(mine.find((x) => x.designId === d.designId)?.edition).toEqual({ sold: 3, issued: 4, size: 100 });
    expect(mine.find((x) => x.designId === draftOnly.designId)?.edition).toEqual({ sold: 0, issued: 0, size: 100 });
  });
});
