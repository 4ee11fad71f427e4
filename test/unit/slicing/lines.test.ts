// Our scanline infill clipper and point-in-area test against Clipper2 (what they replaced), on awkward areas.
import { ClipType, Clipper64, FillRule, PointInPolygonResult, pointInPolygon, type Paths64 } from 'clipper2-ts';
import { describe, expect, it } from 'vitest';
import { areaIndex, linesIn } from '../../../shared/slicing/slice.js';

function clipperLines(area: Paths64, spacing: number, angle: number): number[] {
  const rad = (angle * Math.PI) / 180;
  const cos = Math.cos(rad), sin = Math.sin(rad);
  const rotated = area.map((p) => p.map((q) => ({ x: Math.round(q.x * cos + q.y * sin), y: Math.round(-q.x * sin + q.y * cos) })));
  const ys = rotated.flat().map((q) => q.y);
  const xs = rotated.flat().map((q) => q.x);
  const lines: Paths64 = [];
  for (let y = Math.ceil(Math.min(...ys) / spacing) * spacing; y <= Math.max(...ys); y += spacing) {
    lines.push([{ x: Math.min(...xs) - 1000, y: Math.round(y) }, { x: Math.max(...xs) + 1000, y: Math.round(y) }]);
  }
  const c = new Clipper64();
  c.addOpenSubject(lines);
  c.addClip(rotated);
  const open: Paths64 = [];
  c.execute(ClipType.Intersection, FillRule.NonZero, [], open);
  return open.map((p) => Math.hypot(p.at(-1)!.x - p[0]!.x, p.at(-1)!.y - p[0]!.y) / 1000);
}

const circle = (cx: number, cy: number, r: number, n: number, clockwise = false) =>
  Array.from({ length: n }, (_, i) => {
    const a = ((clockwise ? -i : i) / n) * 2 * Math.PI;
    return { x: Math.round(cx + r * Math.cos(a)), y: Math.round(cy + r * Math.sin(a)) };
  });

describe('infill lines', () => {
  it.each([
    ['a square', [[{ x: 0, y: 0 }, { x: 20000, y: 0 }, { x: 20000, y: 20000 }, { x: 0, y: 20000 }]]],
    ['a ring (outer loop and a clockwise hole)', [circle(100000, 100000, 30000, 300), circle(100000, 100000, 15000, 200, true)]],
    ['two overlapping discs (non-zero winding)', [circle(50000, 50000, 10000, 90), circle(58000, 50000, 10000, 90)]],
    ['a comb with vertices on the scanlines', [[{ x: 0, y: 0 }, { x: 40000, y: 0 }, { x: 40000, y: 4000 }, { x: 30000, y: 4000 }, { x: 30000, y: 20000 }, { x: 20000, y: 20000 }, { x: 20000, y: 4000 }, { x: 10000, y: 4000 }, { x: 10000, y: 20000 }, { x: 0, y: 20000 }]]],
  ])('%s: the same stretches as Clipper2', (_name, area) => {
    for (const [spacing, angle] of [[400, 45], [2000, 135], [1000, 0]] as const) {
      const ours = linesIn(area, spacing, angle).map((p) => Math.hypot(p[2]! - p[0]!, p[3]! - p[1]!));
      const theirs = clipperLines(area, spacing, angle).filter((l) => l > 0.001);
      const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
      // Where a line only touches a hole at a vertex Clipper2 splits it in two; ours runs through.
      expect(theirs.length - ours.length).toBeGreaterThanOrEqual(0);
      expect(theirs.length - ours.length).toBeLessThanOrEqual(1);
      expect(Math.abs(sum(ours) - sum(theirs))).toBeLessThan(0.002 * ours.length + 1e-9);
    }
  });
});

describe('point in infill area', () => {
  it('agrees with Clipper2 (inside or on a path counts, holes subtract) on random, vertex and edge points', () => {
    const area: Paths64 = [circle(100000, 100000, 30000, 300), circle(100000, 100000, 15000, 200, true), [{ x: 0, y: 0 }, { x: 20000, y: 0 }, { x: 20000, y: 20000 }, { x: 0, y: 20000 }]];
    const signs = area.map((p) => (p.reduce((a, q, i) => a + (p[(i + p.length - 1) % p.length]!.x + q.x) * (p[(i + p.length - 1) % p.length]!.y - q.y), 0) < 0 ? 1 : -1));
    const reference = (x: number, y: number) =>
      area.reduce((w, p, i) => w + (pointInPolygon({ x, y }, p) !== PointInPolygonResult.IsOutside ? signs[i]! : 0), 0) > 0;
    const inside = areaIndex(area);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const points: [number, number][] = [];
    for (let i = 0; i < 3000; i++) points.push([Math.round(rand() * 140000), Math.round(rand() * 140000)]);
    for (const p of area) for (const [i, q] of p.entries()) {
      const n = p[(i + 1) % p.length]!;
      points.push([q.x, q.y], [Math.round((q.x + n.x) / 2), Math.round((q.y + n.y) / 2)], [q.x + 1, q.y], [q.x, q.y - 1]);
    }
    for (const [x, y] of points) expect(inside(x / 1000, y / 1000), `${x},${y}`).toBe(reference(x, y));
  });
});
