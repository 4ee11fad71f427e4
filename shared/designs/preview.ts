// A design's preview: what the 3D viewer may show of it. Designs are sealed under their own data key and never handed
// out in the clear, so the viewer gets a stand-in made at ingest: the shape, reduced to a coarse grid, capped in
// triangles, and written as binary STL (the viewer parses the same format for a designer's local file).
//
// How it is reduced: vertex clustering on a uniform grid (Rossignac–Borrel), not manifold-3d's `simplify`. Clustering
// is one pure O(n) pass over the triangle soup, works on meshes that are not manifold (the preview of a rejected upload
// helps its designer most), and its output is bounded by the grid: every vertex lands on a lattice of half a cell, so
// no coordinate of the design survives and nothing finer than a cell (1/64 of the longest side by default) is kept.
// `simplify` keeps a mesh within a tolerance of the original, which is the opposite goal: on a sparse CAD part (a few
// hundred triangles) it would return the printable design itself, and it has no triangle budget to aim at. When the
// grid's output is over the cap, the grid is made coarser and the mesh clustered again from the original.
import { createHash } from 'node:crypto';
import { open, seal, type DataKeys } from '../crypto/envelope.js';
import { NotFound } from '../errors.js';
import type { Design } from './design.js';
import type { BlobStore, DesignStore } from './ports.js';
import { boundingBox } from './printability.js';

/** At most this many triangles in a preview: ≈ 1 MB of binary STL, which a phone draws without effort. */
export const previewTriangleCap = 20_000;
/** Grid cells along the longest side of the part. */
export const previewGridCells = 64;

export const previewKey = (designId: string) => `previews/${designId}.stl.sealed`;
export const previewContext = (designId: string) => ({ designId, purpose: 'design-preview' });
export const previewContentType = 'model/stl';

export interface PreviewMesh {
  /** Nine floats per triangle, like ParsedStl.positions. */
  positions: Float32Array;
  triangleCount: number;
  /** Cells along the longest side of the grid that made it (coarser than asked when the cap required it). */
  gridCells: number;
  /** Edge of one grid cell, in the design's units (mm). Vertices sit on a lattice of half this. */
  cellSize: number;
}

/** What the design record keeps about its preview; never shown with `key`. */
export interface StoredPreview {
  key: string;
  triangleCount: number;
  sizeBytes: number;
  /** SHA-256 of the preview's STL bytes, hex: its HTTP entity tag. */
  sha256: string;
  gridCells: number;
}

/** Reduces a triangle soup to a preview: clustered on a grid of `cells` along its longest side, at most `maxTriangles`. */
export function decimateForPreview(positions: Float32Array, opts: { maxTriangles?: number; cells?: number } = {}): PreviewMesh {
  const cap = Math.max(1, Math.floor(opts.maxTriangles ?? previewTriangleCap));
  let cells = Math.max(1, Math.floor(opts.cells ?? previewGridCells));
  const box = boundingBox(positions);
  const longest = Math.max(...box.size);
  if (!(longest > 0) || !Number.isFinite(longest)) return { positions: new Float32Array(0), triangleCount: 0, gridCells: cells, cellSize: 0 };
  for (;;) {
    const out = cluster(positions, box.min, box.size, longest / cells);
    const count = out.length / 9;
    if (count <= cap || cells === 1) return { positions: out, triangleCount: count, gridCells: cells, cellSize: longest / cells };
    // A surface's triangle count grows with the square of the grid's resolution; aim a little under the cap.
    cells = Math.max(1, Math.min(cells - 1, Math.floor(cells * Math.sqrt(cap / count) * 0.95)));
  }
}

function cluster(positions: Float32Array, min: readonly number[], size: readonly number[], cell: number): Float32Array {
  const [x0, y0, z0] = min as [number, number, number];
  const nx = Math.floor(size[0]! / cell) + 1;
  const ny = Math.floor(size[1]! / cell) + 1;
  const nz = Math.floor(size[2]! / cell) + 1;
  const vertexCount = positions.length / 3;
  const clusterOf = new Uint32Array(vertexCount);
  const byCell = new Map<number, number>();
  let sums = new Float64Array(3 * 1024);
  let counts = new Uint32Array(1024);
  let clusters = 0;
  for (let v = 0; v < vertexCount; v++) {
    const x = positions[v * 3]!;
    const y = positions[v * 3 + 1]!;
    const z = positions[v * 3 + 2]!;
    const ix = Math.min(nx - 1, Math.floor((x - x0) / cell));
    const iy = Math.min(ny - 1, Math.floor((y - y0) / cell));
    const iz = Math.min(nz - 1, Math.floor((z - z0) / cell));
    const key = ix + nx * (iy + ny * iz);
    let c = byCell.get(key);
    if (c === undefined) {
      c = clusters++;
      byCell.set(key, c);
      if (c >= counts.length) {
        const s = new Float64Array(sums.length * 2);
        s.set(sums);
        sums = s;
        const n = new Uint32Array(counts.length * 2);
        n.set(counts);
        counts = n;
      }
    }
    clusterOf[v] = c;
    sums[c * 3]! += x;
    sums[c * 3 + 1]! += y;
    sums[c * 3 + 2]! += z;
    counts[c]!++;
  }
  // Each cluster's vertex: the mean of what fell into its cell, snapped to the half-cell lattice.
  const q = cell / 2;
  const rep = new Float32Array(clusters * 3);
  for (let c = 0; c < clusters; c++) {
    for (let a = 0; a < 3; a++) {
      const origin = min[a]!;
      rep[c * 3 + a] = origin + Math.round((sums[c * 3 + a]! / counts[c]! - origin) / q) * q;
    }
  }
  // Triangles whose corners share a cluster collapse; the same triangle met twice (same corners, same turn) is kept once.
  const seen = new Map<number, number[]>();
  const kept: number[] = [];
  for (let t = 0; t < vertexCount / 3; t++) {
    let a = clusterOf[t * 3]!;
    let b = clusterOf[t * 3 + 1]!;
    let c = clusterOf[t * 3 + 2]!;
    if (a === b || b === c || a === c) continue;
    // Rotate so the smallest index leads: the orientation (a → b → c) is kept, so a flipped twin stays distinct.
    if (b < a && b < c) [a, b, c] = [b, c, a];
    else if (c < a && c < b) [a, b, c] = [c, a, b];
    const head = a * clusters + b;
    const tails = seen.get(head);
    if (tails?.includes(c)) continue;
    if (tails) tails.push(c);
    else seen.set(head, [c]);
    kept.push(a, b, c);
  }
  const out = new Float32Array(kept.length * 3);
  for (let i = 0; i < kept.length; i++) out.set(rep.subarray(kept[i]! * 3, kept[i]! * 3 + 3), i * 3);
  return out;
}

/** Binary STL of a preview, with facet normals; the header says what it is. */
export function previewStl(mesh: Pick<PreviewMesh, 'positions' | 'triangleCount'>): Uint8Array {
  const n = mesh.triangleCount;
  const out = new Uint8Array(84 + n * 50);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('DPM preview: reduced to a coarse grid, not the printable design'));
  view.setUint32(80, n, true);
  const p = mesh.positions;
  for (let t = 0; t < n; t++) {
    const o = t * 9;
    const ux = p[o + 3]! - p[o]!, uy = p[o + 4]! - p[o + 1]!, uz = p[o + 5]! - p[o + 2]!;
    const vx = p[o + 6]! - p[o]!, vy = p[o + 7]! - p[o + 1]!, vz = p[o + 8]! - p[o + 2]!;
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const len = Math.hypot(nx, ny, nz) || 1;
    nx /= len;
    ny /= len;
    nz /= len;
    const base = 84 + t * 50;
    view.setFloat32(base, nx, true);
    view.setFloat32(base + 4, ny, true);
    view.setFloat32(base + 8, nz, true);
    for (let k = 0; k < 9; k++) view.setFloat32(base + 12 + k * 4, p[o + k]!, true);
  }
  return out;
}

/** Makes the preview of a parsed design and stores it sealed under its own data key (the bucket's key comes on top). */
export async function storePreview(designId: string, positions: Float32Array, deps: { previews: BlobStore; dataKeys: DataKeys }): Promise<StoredPreview | undefined> {
  const mesh = decimateForPreview(positions);
  if (!mesh.triangleCount) return undefined;
  const stl = previewStl(mesh);
  const key = previewKey(designId);
  await deps.previews.put(key, await seal(stl, deps.dataKeys, previewContext(designId)), 'application/octet-stream');
  return { key, triangleCount: mesh.triangleCount, sizeBytes: stl.length, sha256: createHash('sha256').update(stl).digest('hex'), gridCells: mesh.gridCells };
}

export type PreviewAnswer = { kind: 'not-modified'; etag: string } | { kind: 'preview'; etag: string; bytes: Uint8Array };

/**
 * The preview of a design for one caller: anyone may see a listed (or withdrawn) design's, only its designer a draft's
 * or a rejected one's; everyone else gets the answer a missing design gets. Designs ingested before previews existed
 * have none, and say so.
 */
export async function designPreview(
  input: { designId: string; callerId?: string; ifNoneMatch?: string },
  deps: { designs: Pick<DesignStore, 'get'>; previews: BlobStore; dataKeys: DataKeys },
): Promise<PreviewAnswer> {
  const design = await deps.designs.get(input.designId);
  if (!design || !mayView(design, input.callerId)) throw new NotFound(`No design ${input.designId}`);
  const stored = design.preview;
  if (!stored) throw new NotFound('No preview yet: this design was ingested before previews were made, or its file could not be read', { reason: 'no-preview' });
  const etag = `"${stored.sha256.slice(0, 32)}"`;
  if (input.ifNoneMatch && input.ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return { kind: 'not-modified', etag };
  const sealed = await deps.previews.get(stored.key);
  if (!sealed) throw new NotFound('No preview yet: it is missing from storage', { reason: 'no-preview' });
  return { kind: 'preview', etag, bytes: await open(sealed, deps.dataKeys, previewContext(design.designId)) };
}

function mayView(design: Design, callerId: string | undefined): boolean {
  if (callerId !== undefined) return design.designerId === callerId;
  return design.status === 'listed' || design.status === 'withdrawn';
}
