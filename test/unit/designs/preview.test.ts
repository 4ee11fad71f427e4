// Design previews: the reduced mesh the 3D viewer shows. It must keep the shape (bounding box within a cell), stay under
// the triangle cap, never be the design (every vertex moved onto the coarse lattice), and be served only to those who
// may see the design.
import { beforeEach, describe, expect, it } from 'vitest';
import { createDesign, quarantineKey } from '../../../shared/designs/create-design.js';
import type { DesignDraftInput } from '../../../shared/designs/design.js';
import { ingestDesign } from '../../../shared/designs/ingest-design.js';
import { withdrawDesign } from '../../../shared/designs/manage-design.js';
import { boundingBox } from '../../../shared/designs/printability.js';
import { decimateForPreview, designPreview, previewKey, previewStl, previewTriangleCap } from '../../../shared/designs/preview.js';
import { parseStl } from '../../../shared/designs/stl.js';
import { NotFound } from '../../../shared/errors.js';
import { InMemoryBlobStore, InMemoryDataKeys, InMemoryDesignStore, RecordedDesignEvents } from '../../support/fakes/designs.js';
import { binaryStl, box, torus } from '../../support/meshes.js';

/** A UV sphere of `rings × segments × 2` triangles, outward-facing. */
function sphere(radius: number, rings: number, segments: number, at: [number, number, number] = [0, 0, 0]): Float32Array {
  const out: number[] = [];
  const pt = (i: number, j: number) => {
    const theta = (i / rings) * Math.PI;
    const phi = (j / segments) * 2 * Math.PI;
    return [at[0] + radius * Math.sin(theta) * Math.cos(phi), at[1] + radius * Math.sin(theta) * Math.sin(phi), at[2] + radius * Math.cos(theta)];
  };
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = pt(i, j), b = pt(i + 1, j), c = pt(i + 1, j + 1), d = pt(i, j + 1);
      out.push(...a, ...b, ...c, ...a, ...c, ...d);
    }
  }
  return new Float32Array(out);
}

function expectBoxWithin(original: Float32Array, preview: Float32Array, tolerance: number) {
  const a = boundingBox(original);
  const b = boundingBox(preview);
  for (let k = 0; k < 3; k++) {
    expect(Math.abs(a.min[k]! - b.min[k]!), `min ${'xyz'[k]}`).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(a.max[k]! - b.max[k]!), `max ${'xyz'[k]}`).toBeLessThanOrEqual(tolerance);
  }
}

/** Every coordinate is a whole number of half cells from the part's minimum corner. */
function expectOnLattice(original: Float32Array, preview: Float32Array, cellSize: number) {
  const min = boundingBox(original).min;
  const q = cellSize / 2;
  let worst = 0;
  for (let i = 0; i < preview.length; i++) {
    const steps = (preview[i]! - min[i % 3]!) / q;
    worst = Math.max(worst, Math.abs(steps - Math.round(steps)));
  }
  expect(preview.length).toBeGreaterThan(0);
  expect(worst).toBeLessThan(1e-3);
}

describe('decimateForPreview (vertex clustering on a coarse grid)', () => {
  it('caps a dense mesh at 20,000 triangles and keeps its bounding box within a cell', () => {
    const dense = torus(60, 18, 400, 120); // 96,000 triangles
    const preview = decimateForPreview(dense);
    expect(previewTriangleCap).toBe(20_000);
    expect(preview.triangleCount).toBeLessThanOrEqual(20_000);
    expect(preview.triangleCount).toBeGreaterThan(1_000);
    expect(preview.positions.length).toBe(preview.triangleCount * 9);
    // The mean of a cell's vertices stays in the cell, and the snap moves it by at most a quarter cell.
    expectBoxWithin(dense, preview.positions, 1.25 * preview.cellSize);
    expect(preview.cellSize).toBeCloseTo((2 * (60 + 18)) / preview.gridCells, 6);
  });

  it('coarsens the grid until the mesh fits a smaller cap', () => {
    const mesh = sphere(25, 120, 240); // 57,600 triangles
    const preview = decimateForPreview(mesh, { maxTriangles: 2_000 });
    expect(preview.triangleCount).toBeLessThanOrEqual(2_000);
    expect(preview.gridCells).toBeLessThan(64);
    expectBoxWithin(mesh, preview.positions, 1.25 * preview.cellSize);
  });

  it('is never the design: not byte-identical, and every vertex moved onto the half-cell lattice', () => {
    for (const mesh of [torus(20, 5, 48, 24), sphere(12.3, 30, 60, [3.1, -7.7, 40.2]), box(10, 20, 30, [1.234, 5.678, 0.5])]) {
      const preview = decimateForPreview(mesh);
      expect(Buffer.from(preview.positions.buffer).equals(Buffer.from(mesh.buffer))).toBe(false);
      expectOnLattice(mesh, preview.positions, preview.cellSize);
      expectBoxWithin(mesh, preview.positions, 1.25 * preview.cellSize);
    }
  });

  it('even a 12-triangle box, which has nothing to decimate, is quantized (its sides no longer have their lengths)', () => {
    const preview = decimateForPreview(box(10, 20, 30));
    expect(preview.triangleCount).toBe(12);
    const size = boundingBox(preview.positions).size;
    expect(size[2]).toBeCloseTo(30, 5); // the longest side spans the grid exactly
    expect(Math.abs(size[0] - 10)).toBeGreaterThan(1e-3);
    expect(Math.abs(size[0] - 10)).toBeLessThanOrEqual(30 / 64 / 4 + 1e-6);
  });

  it('drops what collapses and keeps no triangle twice', () => {
    const mesh = torus(20, 5, 48, 24);
    const coarse = decimateForPreview(mesh, { cells: 4 });
    const keys = new Set<string>();
    for (let t = 0; t < coarse.triangleCount; t++) {
      const corners = [0, 1, 2].map((v) => Array.from(coarse.positions.subarray(t * 9 + v * 3, t * 9 + v * 3 + 3)).join(','));
      expect(new Set(corners).size, `triangle ${t} is degenerate`).toBe(3);
      const lead = corners.indexOf([...corners].sort()[0]!);
      const key = [0, 1, 2].map((k) => corners[(lead + k) % 3]).join('|');
      expect(keys.has(key), `triangle ${t} is a duplicate`).toBe(false);
      keys.add(key);
    }
    expect(coarse.triangleCount).toBeLessThan(mesh.length / 9);
  });

  it('answers an empty or flat-to-a-point mesh with no triangles', () => {
    expect(decimateForPreview(new Float32Array(0)).triangleCount).toBe(0);
    expect(decimateForPreview(new Float32Array(9).fill(2)).triangleCount).toBe(0);
  });

  it('writes binary STL that reads back as the same triangles, with unit normals and a header saying what it is', () => {
    const preview = decimateForPreview(torus(20, 5, 48, 24));
    const stl = previewStl(preview);
    expect(stl.length).toBe(84 + preview.triangleCount * 50);
    const parsed = parseStl(stl, { maxBytes: 10_000_000 });
    expect(parsed).toMatchObject({ format: 'binary', triangleCount: preview.triangleCount });
    expect(parsed.name).toContain('not the printable design');
    expect(Array.from(parsed.positions)).toEqual(Array.from(preview.positions));
    const view = new DataView(stl.buffer, stl.byteOffset);
    const n = [0, 4, 8].map((o) => view.getFloat32(84 + o, true));
    expect(Math.hypot(...n)).toBeCloseTo(1, 5);
  });
});

describe('previews at ingest, and who may see them', () => {
  const terms = { priceCents: 1500, royaltyCents: 500, editionSize: 10, allowedMaterials: ['PLA' as const], commercialUse: false };
  const draft = (title: string): DesignDraftInput => ({ title, description: '', tags: [], terms: { ...terms, allowedMaterials: ['PLA'] } });
  let ids = 0;
  let deps: {
    designs: InMemoryDesignStore;
    uploads: InMemoryBlobStore;
    sealedFiles: InMemoryBlobStore;
    previews: InMemoryBlobStore;
    dataKeys: InMemoryDataKeys;
    events: RecordedDesignEvents;
    newId: () => string;
    now: () => Date;
  };
  beforeEach(() => {
    deps = {
      designs: new InMemoryDesignStore(),
      uploads: new InMemoryBlobStore(),
      sealedFiles: new InMemoryBlobStore(),
      previews: new InMemoryBlobStore(),
      dataKeys: new InMemoryDataKeys(),
      events: new RecordedDesignEvents(),
      newId: () => `p${++ids}`,
      now: () => new Date(Date.UTC(2026, 10, 24, 0, 0, ids)),
    };
  });

  async function ingest(designerId: string, title: string, mesh: Float32Array) {
    const { design } = await createDesign({ designerId, draft: draft(title) }, deps);
    await deps.uploads.put(quarantineKey(design.designId), binaryStl(mesh));
    return ingestDesign({ designerId, designId: design.designId }, deps);
  }

  it('stores a sealed preview with the listed design and serves it to anyone, with an entity tag', async () => {
    const d = await ingest('alice', 'Ring', torus(20, 5, 48, 24));
    expect(d.status).toBe('listed');
    expect(d.preview).toMatchObject({ key: previewKey(d.designId), triangleCount: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const stored = deps.previews.objects.get(previewKey(d.designId))!;
    expect(Buffer.from(stored).includes(Buffer.from('DPM preview'))).toBe(false);
    // Nothing went into the bucket of sealed designs but the design.
    expect([...deps.sealedFiles.objects.keys()]).toEqual([`designs/${d.designId}/design.stl.sealed`]);

    const anyone = await designPreview({ designId: d.designId }, deps);
    if (anyone.kind !== 'preview') throw new Error(anyone.kind);
    expect(parseStl(anyone.bytes, { maxBytes: 1e7 }).triangleCount).toBe(d.preview!.triangleCount);
    expect(await designPreview({ designId: d.designId, ifNoneMatch: anyone.etag }, deps)).toEqual({ kind: 'not-modified', etag: anyone.etag });
    expect(await designPreview({ designId: d.designId, callerId: 'alice' }, deps)).toMatchObject({ kind: 'preview' });
    // The owner route is for one's own designs only.
    await expect(designPreview({ designId: d.designId, callerId: 'mallory' }, deps)).rejects.toBeInstanceOf(NotFound);

    await withdrawDesign({ designerId: 'alice', designId: d.designId }, deps);
    expect(await designPreview({ designId: d.designId }, deps)).toMatchObject({ kind: 'preview' });
  });

  it('keeps a rejected mesh’s preview for its designer only', async () => {
    const d = await ingest('alice', 'Open box', box(10, 10, 10).slice(18));
    expect(d.status).toBe('rejected');
    expect(d.preview?.triangleCount).toBeGreaterThan(0);
    expect(await designPreview({ designId: d.designId, callerId: 'alice' }, deps)).toMatchObject({ kind: 'preview' });
    await expect(designPreview({ designId: d.designId }, deps)).rejects.toThrow(`No design ${d.designId}`);
    await expect(designPreview({ designId: d.designId, callerId: 'mallory' }, deps)).rejects.toThrow(`No design ${d.designId}`);
  });

  it('says “no preview yet” for designs ingested before previews existed, and for a draft without an upload', async () => {
    const d = await ingest('alice', 'Old', box(5, 5, 5));
    const { preview: _p, ...old } = (await deps.designs.get(d.designId))!;
    deps.designs.designs.set(d.designId, old);
    const err = await designPreview({ designId: d.designId }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFound);
    expect(err).toMatchObject({ message: expect.stringContaining('No preview yet'), details: { reason: 'no-preview' } });

    const { design } = await createDesign({ designerId: 'alice', draft: draft('Not uploaded') }, deps);
    await expect(designPreview({ designId: design.designId, callerId: 'alice' }, deps)).rejects.toThrow('No preview yet');
    await expect(designPreview({ designId: 'nope' }, deps)).rejects.toThrow('No design nope');
  });
});
