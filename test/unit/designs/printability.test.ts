import { describe, expect, it } from 'vitest';
import { analyzeTopology } from '../../../shared/designs/mesh-topology.js';
import { checkPrintability, fitsBuildVolume } from '../../../shared/designs/printability.js';
import { box, torus } from '../../support/meshes.js';

const concat = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('mesh topology', () => {
  it('a closed box is watertight: 8 vertices, 18 edges, one part', () => {
    expect(analyzeTopology(box(1, 2, 3))).toMatchObject({
      triangles: 12,
      vertices: 8,
      edges: 18,
      boundaryEdges: 0,
      nonManifoldEdges: 0,
      flippedEdges: 0,
      degenerateTriangles: 0,
      parts: 1,
      watertight: true,
    });
  });

  it('a missing face leaves open edges', () => {
    const t = analyzeTopology(box(1, 1, 1).slice(9));
    expect(t).toMatchObject({ boundaryEdges: 3, watertight: false });
  });

  it('a flipped face is caught by edge direction even though every edge has two faces', () => {
    const m = box(1, 1, 1);
    // Swap two corners of the first triangle.
    const a = m.slice(3, 6);
    m.set(m.slice(6, 9), 3);
    m.set(a, 6);
    expect(analyzeTopology(m)).toMatchObject({ boundaryEdges: 0, nonManifoldEdges: 0, flippedEdges: 3, watertight: false });
  });

  it('two boxes sharing an edge make a non-manifold edge', () => {
    const t = analyzeTopology(concat(box(1, 1, 1), box(1, 1, 1, [1, 1, 0])));
    expect(t.nonManifoldEdges).toBe(1);
    expect(t.watertight).toBe(false);
  });

  it('counts degenerate triangles and separate parts, and welds −0 with +0', () => {
    const m = concat(box(1, 1, 1), box(1, 1, 1, [5, 0, 0]), new Float32Array([0, 0, 0, 0, 0, 0, 1, 0, 0]));
    m[0] = -0;
    const t = analyzeTopology(m);
    expect(t).toMatchObject({ parts: 2, degenerateTriangles: 1, vertices: 16 });
  });
});

describe('printability report', () => {
  it('measures a box: volume, area, genus 0, mass per material, bounding box', async () => {
    const r = await checkPrintability(box(10, 20, 30, [5, 5, 0]));
    expect(r.printable).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.boundingBox).toEqual({ min: [5, 5, 0], max: [15, 25, 30], size: [10, 20, 30] });
    expect(r.solid).toMatchObject({ kind: 'solid', genus: 0 });
    if (r.solid.kind !== 'solid') throw new Error('not solid');
    expect(r.solid.volumeMm3).toBeCloseTo(6000, 3);
    expect(r.solid.surfaceAreaMm2).toBeCloseTo(2 * (200 + 600 + 300), 3);
    expect(r.solid.massGrams.PLA).toBeCloseTo(6 * 1.24, 3);
  });

  it('gives a torus genus 1 and a volume close to 2π²Rr²', async () => {
    const r = await checkPrintability(torus(20, 5, 96, 48));
    if (r.solid.kind !== 'solid') throw new Error(r.solid.reason);
    expect(r.solid.genus).toBe(1);
    expect(r.solid.volumeMm3 / (2 * Math.PI ** 2 * 20 * 25)).toBeGreaterThan(0.99);
    expect(r.solid.volumeMm3 / (2 * Math.PI ** 2 * 20 * 25)).toBeLessThan(1);
  });

  it('refuses an open mesh with the reason', async () => {
    const r = await checkPrintability(box(1, 1, 1).slice(18));
    expect(r.printable).toBe(false);
    expect(r.solid).toEqual({ kind: 'not-solid', reason: 'the mesh is not watertight' });
    // The bottom square is gone: its four sides are open, its diagonal went with it.
    expect(r.problems).toEqual(['4 open edges: the surface has holes']);
  });

  it('flags an inside-out solid', async () => {
    const m = box(1, 1, 1);
    for (let t = 0; t < 12; t++) {
      const a = m.slice(t * 9 + 3, t * 9 + 6);
      m.set(m.slice(t * 9 + 6, t * 9 + 9), t * 9 + 3);
      m.set(a, t * 9 + 6);
    }
    const r = await checkPrintability(m);
    expect(r.printable).toBe(false);
    expect(r.problems.join()).toMatch(/inwards|not a valid solid/);
  });
});

describe('build volume fit', () => {
  it('fits as modelled, turned a quarter, or says by how much it is over', () => {
    expect(fitsBuildVolume([200, 100, 50], { x: 220, y: 220, z: 250 })).toEqual({ fits: true, rotatedZ90: false });
    expect(fitsBuildVolume([250, 100, 50], { x: 180, y: 260, z: 250 })).toEqual({ fits: true, rotatedZ90: true });
    expect(fitsBuildVolume([250, 100, 300], { x: 220, y: 220, z: 250 })).toEqual({ fits: false, overBy: [30, 0, 50] });
  });
});
