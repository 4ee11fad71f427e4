// Our FDM slicer: cuts a closed mesh into layers and plans each layer's toolpaths (skirt, perimeters, top and bottom
// solid infill, sparse rectilinear or grid infill). Geometry is our own; polygon offsets and clipping are Clipper2's.
// Contours are chained through the welded mesh's edges rather than by matching float coordinates, so a watertight
// mesh always gives closed loops, and each segment is oriented by its face normal, so holes come out clockwise.
import { EndType, FillRule, JoinType, difference, inflatePaths, intersect, union, type Path64, type Paths64 } from 'clipper2-ts';
import { analyzeTopology } from '../designs/mesh-topology.js';
import { RuleViolation } from '../errors.js';
import type { PrinterProfile, SliceSettings } from './printer-profile.js';

export type PathRole = 'skirt' | 'external-perimeter' | 'perimeter' | 'top-solid-infill' | 'solid-infill' | 'infill';

export interface ToolPath {
  role: PathRole;
  closed: boolean;
  /** False when the travel to this path stays inside the infill area: no perimeter is crossed, no string can show. */
  retract?: boolean;
  /** x, y pairs in millimetres, bed coordinates. */
  points: Float64Array;
}

export interface SlicedLayer {
  index: number;
  /** Height of the layer's top, mm. */
  z: number;
  height: number;
  paths: ToolPath[];
}

export interface SliceResult {
  layers: SlicedLayer[];
  /** Where the model sits on the bed, mm. */
  bounds: { min: [number, number, number]; max: [number, number, number] };
  extrusionWidth: number;
  warnings: string[];
}

/** Clipper works on integers: one unit is a micrometre. */
const UM = 1000;

export function slice(positions: Float32Array, profile: PrinterProfile, settings: SliceSettings): SliceResult {
  const topo = analyzeTopology(positions);
  if (!topo.watertight) {
    throw new RuleViolation(`The mesh cannot be sliced: it is not watertight (${topo.boundaryEdges} open, ${topo.nonManifoldEdges} non-manifold, ${topo.flippedEdges} flipped edges)`);
  }
  const { indices } = topo.welded;
  const src = topo.welded.positions;
  const vertexCount = src.length / 3;

  // Centre on the bed and stand on it.
  let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let i = 0; i < vertexCount; i++) {
    const x = src[i * 3]!, y = src[i * 3 + 1]!, z = src[i * 3 + 2]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  const dx = profile.bed.x / 2 - (minX + maxX) / 2;
  const dy = profile.bed.y / 2 - (minY + maxY) / 2;
  const v = new Float64Array(vertexCount * 3);
  for (let i = 0; i < vertexCount; i++) {
    v[i * 3] = src[i * 3]! + dx;
    v[i * 3 + 1] = src[i * 3 + 1]! + dy;
    v[i * 3 + 2] = src[i * 3 + 2]! - minZ;
  }
  const height = maxZ - minZ;
  if (maxX - minX > profile.bed.x || maxY - minY > profile.bed.y || height > profile.maxZ) {
    throw new RuleViolation(`The model (${(maxX - minX).toFixed(1)} × ${(maxY - minY).toFixed(1)} × ${height.toFixed(1)} mm) does not fit the printer (${profile.bed.x} × ${profile.bed.y} × ${profile.maxZ} mm)`);
  }

  // Layer tops: the first layer, then full layers until the model's top; each is cut at its middle.
  const h0 = settings.firstLayerHeight;
  const h = settings.layerHeight;
  const layerCount = height <= h0 ? 1 : 1 + Math.ceil((height - h0) / h - 1e-9);
  const tops = Array.from({ length: layerCount }, (_, i) => (i === 0 ? h0 : h0 + i * h));
  const planes = tops.map((t, i) => (i === 0 ? Math.min(h0 / 2, height / 2) : Math.min(t - h / 2, height - 1e-6)));

  // Each triangle goes to the layers whose plane crosses it (plane index range from its z extent), stored as one
  // flat list per layer (counts first, then offsets), so no per-layer arrays grow.
  const triangleCount = indices.length / 3;
  const firstPlane = new Int32Array(triangleCount);
  const endPlane = new Int32Array(triangleCount);
  const bucketStart = new Int32Array(layerCount + 1);
  for (let t = 0; t < triangleCount; t++) {
    const za = v[indices[t * 3]! * 3 + 2]!, zb = v[indices[t * 3 + 1]! * 3 + 2]!, zc = v[indices[t * 3 + 2]! * 3 + 2]!;
    const lo = Math.min(za, zb, zc);
    const hi = Math.max(za, zb, zc);
    if (hi === lo) continue;
    let i = firstPlaneAtOrAbove(planes, lo);
    firstPlane[t] = i;
    for (; i < layerCount && planes[i]! < hi; i++) bucketStart[i + 1]!++;
    endPlane[t] = i;
  }
  for (let i = 0; i < layerCount; i++) bucketStart[i + 1]! += bucketStart[i]!;
  const bucketFill = bucketStart.slice(0, layerCount);
  const bucketed = new Int32Array(bucketStart[layerCount]!);
  for (let t = 0; t < triangleCount; t++) for (let i = firstPlane[t]!; i < endPlane[t]!; i++) bucketed[bucketFill[i]!++] = t;

  const warnings: string[] = [];
  const cutter = new LayerCutter(indices, v);
  const regions: Paths64[] = planes.map((z, i) =>
    cutter.cut(z, bucketed.subarray(bucketStart[i]!, bucketStart[i + 1]!), (w) => warnings.push(`layer ${i + 1}: ${w}`)),
  );

  const w = profile.nozzleDiameter * settings.extrusionWidthFactor;
  const layers: SlicedLayer[] = [];
  const innermost: Paths64[] = [];
  const perimeterPaths: ToolPath[][] = [];
  const spacingOf = (i: number) => {
    const lh = i === 0 ? h0 : h;
    // The first layer is laid wider, against the bed (twice its height, PrusaSlicer's default).
    const width = i === 0 ? Math.max(profile.nozzleDiameter, 2 * h0) : w;
    // Neighbouring beads overlap: their centres sit one "spacing" apart, the bead width minus its rounded edges.
    return { width, spacing: (width - lh * (1 - Math.PI / 4)) * UM };
  };
  for (let i = 0; i < layerCount; i++) {
    const paths: ToolPath[] = [];
    const { width, spacing } = spacingOf(i);
    let ring = inflatePaths(regions[i]!, (-width * UM) / 2, JoinType.Miter, EndType.Polygon, 3);
    const rings: { paths: Paths64; external: boolean }[] = [];
    for (let p = 0; p < settings.perimeters && ring.length; p++) {
      rings.push({ paths: ring, external: p === 0 });
      if (p + 1 < settings.perimeters) ring = inflatePaths(ring, -spacing, JoinType.Miter, EndType.Polygon, 3);
    }
    // Inner perimeters first, then the outside one, so the visible wall is laid against support.
    for (const r of [...rings].reverse()) for (const p of r.paths) paths.push(toolPath(p, r.external ? 'external-perimeter' : 'perimeter', true));
    perimeterPaths.push(paths);
    const last = rings.at(-1)?.paths ?? [];
    // Infill reaches a quarter of a spacing into the innermost perimeter, so they bond.
    innermost.push(last.length ? inflatePaths(last, -spacing / 2 + 0.25 * spacing, JoinType.Miter, EndType.Polygon, 3) : []);
  }

  // Neighbours' outlines pulled in by half the perimeter band: enough to thicken the shell where a wall slopes,
  // without turning every sloped layer solid.
  const shells = regions.map((r, i) => inflatePaths(r, -(settings.perimeters * spacingOf(i).spacing) / 2, JoinType.Miter, EndType.Polygon, 3));
  const cover = new RangeIntersection(shells);
  for (let i = 0; i < layerCount; i++) {
    const paths = perimeterPaths[i]!;
    const area = innermost[i]!;
    if (area.length) {
      // Solid where the model ends within `top` layers above or `bottom` layers below; the true top surface (not
      // covered by the next layer) gets its own, slower role.
      // Coverage is measured with the neighbours' infill areas (inside their perimeters), not their outlines: on a
      // sloped wall that adds solid infill behind the perimeters, keeping the shell as thick vertically as
      // horizontally (PrusaSlicer's "ensure vertical shell thickness").
      // (area − above) ∪ (area − below) is area − (above ∩ below): one difference instead of two and a union. The
      // neighbours' coverage comes from a table of intersections over power-of-two runs of layers, each computed once.
      // With no top (or bottom) layers asked for, nothing is solid for that reason: the side counts as covered.
      const coveredAbove = settings.topLayers === 0 ? undefined : cover.range(i + 1, Math.min(layerCount - 1, i + settings.topLayers), i + settings.topLayers > layerCount - 1);
      const coveredBelow = settings.bottomLayers === 0 ? undefined : cover.range(Math.max(0, i - settings.bottomLayers), i - 1, i - settings.bottomLayers < 0);
      let solid: Paths64, sparseAll: Paths64;
      const coveredBoth = !coveredAbove ? coveredBelow : !coveredBelow ? coveredAbove : coveredAbove.length && coveredBelow.length ? intersect(coveredAbove, coveredBelow, FillRule.NonZero) : [];
      if (!coveredBoth) [solid, sparseAll] = [[], area];
      else if (!coveredBoth.length) [solid, sparseAll] = [area, []];
      else [solid, sparseAll] = [difference(area, coveredBoth, FillRule.NonZero), intersect(area, coveredBoth, FillRule.NonZero)];
      // Within the solid part, what the next layer does not cover is top surface: solid − next, and solid ∩ next.
      const last = i === layerCount - 1;
      const topSolid = !solid.length ? [] : last ? solid : difference(solid, regions[i + 1]!, FillRule.NonZero);
      const otherSolid = !solid.length || last ? [] : intersect(solid, regions[i + 1]!, FillRule.NonZero);
      const { spacing } = spacingOf(i);
      // Islands of sparse infill too small to matter are filled solid instead.
      const minArea = settings.solidInfillBelowAreaMm2 * UM * UM;
      const sparse: Paths64 = [];
      const tinySparse: Paths64 = [];
      for (const p of sparseAll) {
        const a = signedArea(p);
        if (a > 0 && a < minArea) tinySparse.push(p);
        else sparse.push(p);
      }
      const solidAngle = i % 2 === 0 ? 45 : 135;
      for (const points of linesIn(topSolid, spacing, solidAngle)) paths.push({ role: 'top-solid-infill', closed: false, points });
      for (const points of linesIn(tinySparse.length ? union(otherSolid, tinySparse, FillRule.NonZero) : otherSolid, spacing, solidAngle)) paths.push({ role: 'solid-infill', closed: false, points });
      if (settings.infillDensity > 0 && sparse.length) {
        if (settings.infillPattern === 'grid') {
          for (const angle of [45, 135]) for (const points of linesIn(sparse, (2 * spacing) / settings.infillDensity, angle)) paths.push({ role: 'infill', closed: false, points });
        } else {
          for (const points of linesIn(sparse, spacing / settings.infillDensity, i % 2 === 0 ? 45 : 135)) paths.push({ role: 'infill', closed: false, points });
        }
      }
    }
    if (i === 0 && settings.skirtLoops > 0) {
      const outline = union(regions[0]!, FillRule.NonZero);
      const skirt: ToolPath[] = [];
      for (let k = 0; k < settings.skirtLoops; k++) {
        const { width, spacing } = spacingOf(0);
        const loop = inflatePaths(outline, settings.skirtDistanceMm * UM + (width * UM) / 2 + k * spacing, JoinType.Round, EndType.Polygon);
        // Only outer contours: a skirt never goes into holes.
        for (const p of loop) if (signedArea(p) > 0) skirt.push(toolPath(p, 'skirt', true));
      }
      paths.unshift(...skirt);
    }
    const { spacing } = spacingOf(i);
    layers.push({ index: i, z: round3(tops[i]!), height: i === 0 ? h0 : h, paths: linkInfill(orderPaths(paths), innermost[i]!, (3 * spacing) / UM) });
  }

  return {
    layers,
    bounds: { min: [minX + dx, minY + dy, 0], max: [maxX + dx, maxY + dy, height] },
    extrusionWidth: w,
    warnings,
  };
}

function firstPlaneAtOrAbove(planes: number[], z: number): number {
  let lo = 0, hi = planes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (planes[mid]! < z) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The part of a run of layers covered by all of them (intersections of their shells), answered from a sparse table:
 * the intersection of each power-of-two run is computed once, on demand, and a range is at most two of them.
 */
class RangeIntersection {
  private readonly levels: Paths64[][] = [];

  constructor(private readonly base: Paths64[]) {}

  /** Layers start .. start + 2^k − 1. */
  private block(k: number, start: number): Paths64 {
    if (k === 0) return this.base[start]!;
    const level = (this.levels[k] ??= []);
    let r = level[start];
    if (r === undefined) {
      const a = this.block(k - 1, start);
      const b = a.length ? this.block(k - 1, start + (1 << (k - 1))) : [];
      r = a.length && b.length ? intersect(a, b, FillRule.NonZero) : [];
      level[start] = r;
    }
    return r;
  }

  /** Layers from..to; `beyond` means the range runs off the model (nothing covers). */
  range(from: number, to: number, beyond: boolean): Paths64 {
    if (beyond || from > to) return [];
    const len = to - from + 1;
    const k = 31 - Math.clz32(len);
    const a = this.block(k, from);
    if (1 << k === len || !a.length) return a;
    const b = this.block(k, to - (1 << k) + 1);
    return b.length ? intersect(a, b, FillRule.NonZero) : [];
  }
}

/** Contour points closer than this (µm) to the simplified outline are dropped: PrusaSlicer's default G-code resolution. */
const RESOLUTION = 12.5;

/**
 * Cuts the welded mesh with horizontal planes. Every mesh edge gets a number once; a layer's contour points and
 * their successors live in typed arrays indexed by edge, marked valid for the current layer by a stamp, so a layer
 * allocates nothing but its output. Contours are chained through shared edges, so a watertight mesh always closes.
 */
class LayerCutter {
  private readonly triEdges: Int32Array;
  private readonly edgeA: Uint32Array;
  private readonly edgeB: Uint32Array;
  private readonly next: Int32Array;
  private readonly nextStamp: Int32Array;
  private readonly pointStamp: Int32Array;
  private readonly usedStamp: Int32Array;
  private readonly px: Float64Array;
  private readonly py: Float64Array;
  private starts: Int32Array;
  private ring = new Int32Array(1024);
  private keep = new Uint8Array(512);
  private stack = new Int32Array(1024);
  private stamp = 0;

  constructor(
    private readonly indices: Uint32Array,
    private readonly v: Float64Array,
  ) {
    const triangleCount = indices.length / 3;
    let cap = 16;
    while (cap <= triangleCount * 3) cap *= 2;
    const mask = cap - 1;
    const slotEdge = new Int32Array(cap).fill(-1);
    this.edgeA = new Uint32Array(Math.max(1, triangleCount * 3));
    this.edgeB = new Uint32Array(this.edgeA.length);
    let edgeCount = 0;
    this.triEdges = new Int32Array(triangleCount * 3);
    for (let t = 0; t < triangleCount; t++) {
      const i0 = indices[t * 3]!, i1 = indices[t * 3 + 1]!, i2 = indices[t * 3 + 2]!;
      // A triangle with two corners welded together has no area and no edges of its own; it is never cut.
      if (i0 === i1 || i1 === i2 || i0 === i2) {
        this.triEdges.fill(-1, t * 3, t * 3 + 3);
        continue;
      }
      for (let e = 0; e < 3; e++) {
        const a = indices[t * 3 + e]!, b = indices[t * 3 + ((e + 1) % 3)]!;
        // Canonical order, so both faces sharing the edge compute bit-identical points.
        const lo = a < b ? a : b;
        const hi = a < b ? b : a;
        let h = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77)) >>> 0;
        h ^= h >>> 16;
        let s = h & mask;
        for (;;) {
          const id = slotEdge[s]!;
          if (id === -1) {
            this.edgeA[edgeCount] = lo;
            this.edgeB[edgeCount] = hi;
            slotEdge[s] = edgeCount;
            this.triEdges[t * 3 + e] = edgeCount++;
            break;
          }
          if (this.edgeA[id] === lo && this.edgeB[id] === hi) {
            this.triEdges[t * 3 + e] = id;
            break;
          }
          s = (s + 1) & mask;
        }
      }
    }
    this.next = new Int32Array(edgeCount);
    this.nextStamp = new Int32Array(edgeCount);
    this.pointStamp = new Int32Array(edgeCount);
    this.usedStamp = new Int32Array(edgeCount);
    this.px = new Float64Array(edgeCount);
    this.py = new Float64Array(edgeCount);
    this.starts = new Int32Array(1024);
  }

  private point(e: number, z: number): void {
    if (this.pointStamp[e] === this.stamp) return;
    this.pointStamp[e] = this.stamp;
    const v = this.v;
    const lo = this.edgeA[e]!, hi = this.edgeB[e]!;
    const za = v[lo * 3 + 2]!, zb = v[hi * 3 + 2]!;
    const t = (z - za) / (zb - za);
    this.px[e] = v[lo * 3]! + t * (v[hi * 3]! - v[lo * 3]!);
    this.py[e] = v[lo * 3 + 1]! + t * (v[hi * 3 + 1]! - v[lo * 3 + 1]!);
  }

  /** The closed contours where the plane z cuts the given triangles, simplified, as a Clipper union. */
  cut(z: number, triangles: Int32Array, warn: (w: string) => void): Paths64 {
    const stamp = ++this.stamp;
    const { v, indices, triEdges, next, nextStamp, px, py } = this;
    if (this.starts.length < triangles.length) this.starts = new Int32Array(triangles.length);
    const starts = this.starts;
    let startCount = 0;
    for (let k = 0; k < triangles.length; k++) {
      const t = triangles[k]!;
      if (triEdges[t * 3] === -1) continue;
      const i0 = indices[t * 3]!, i1 = indices[t * 3 + 1]!, i2 = indices[t * 3 + 2]!;
      const a0 = v[i0 * 3 + 2]! >= z, a1 = v[i1 * 3 + 2]! >= z, a2 = v[i2 * 3 + 2]! >= z;
      let c0 = -1, c1 = -1;
      if (a0 !== a1) c0 = triEdges[t * 3]!;
      if (a1 !== a2) {
        if (c0 === -1) c0 = triEdges[t * 3 + 1]!;
        else c1 = triEdges[t * 3 + 1]!;
      }
      if (a2 !== a0) {
        if (c0 === -1) c0 = triEdges[t * 3 + 2]!;
        else if (c1 === -1) c1 = triEdges[t * 3 + 2]!;
        else continue;
      }
      if (c1 === -1) continue;
      this.point(c0, z);
      this.point(c1, z);
      // Orientation from the face normal: the solid lies to the left, so outer loops run counter-clockwise.
      const x0 = v[i0 * 3]!, y0 = v[i0 * 3 + 1]!, z0 = v[i0 * 3 + 2]!;
      const ux = v[i1 * 3]! - x0, uy = v[i1 * 3 + 1]! - y0, uz = v[i1 * 3 + 2]! - z0;
      const wx = v[i2 * 3]! - x0, wy = v[i2 * 3 + 1]! - y0, wz = v[i2 * 3 + 2]! - z0;
      const nx = uy * wz - uz * wy;
      const ny = uz * wx - ux * wz;
      const forward = (px[c1]! - px[c0]!) * -ny + (py[c1]! - py[c0]!) * nx >= 0;
      const from = forward ? c0 : c1;
      if (nextStamp[from] !== stamp) {
        nextStamp[from] = stamp;
        starts[startCount++] = from;
      }
      next[from] = forward ? c1 : c0;
    }
    const loops: Paths64 = [];
    let open = 0;
    const used = this.usedStamp;
    for (let s = 0; s < startCount; s++) {
      const start = starts[s]!;
      if (used[start] === stamp) continue;
      let n = 0;
      let k = start;
      let closed = false;
      for (;;) {
        used[k] = stamp;
        if (this.ring.length < 2 * n + 2) {
          const grown = new Int32Array(this.ring.length * 2);
          grown.set(this.ring);
          this.ring = grown;
        }
        this.ring[2 * n] = Math.round(px[k]! * UM);
        this.ring[2 * n + 1] = Math.round(py[k]! * UM);
        n++;
        if (nextStamp[k] !== stamp) break;
        k = next[k]!;
        if (used[k] === stamp) {
          closed = k === start;
          break;
        }
      }
      if (closed && n >= 3) {
        const loop = this.simplified(n);
        if (loop.length >= 3) loops.push(loop);
      } else open++;
    }
    if (open) warn(`${open} contour(s) did not close and were dropped`);
    return union(loops, FillRule.NonZero);
  }

  /** Douglas–Peucker on the closed ring in `this.ring` (n points), to within RESOLUTION. */
  private simplified(n: number): Path64 {
    const r = this.ring;
    if (this.keep.length < n + 1) this.keep = new Uint8Array(2 * n + 2);
    const keep = this.keep;
    keep.fill(0, 0, n + 1);
    // Split the ring at point 0 and the point farthest from it; point n is point 0 again.
    let far = 0, farD = -1;
    for (let i = 1; i < n; i++) {
      const d = (r[2 * i]! - r[0]!) ** 2 + (r[2 * i + 1]! - r[1]!) ** 2;
      if (d > farD) [far, farD] = [i, d];
    }
    keep[0] = keep[far] = keep[n] = 1;
    if (this.stack.length < 4 * n + 4) this.stack = new Int32Array(4 * n + 4);
    const stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    stack[top++] = far;
    stack[top++] = far;
    stack[top++] = n;
    const eps2 = RESOLUTION * RESOLUTION;
    while (top) {
      const j = stack[--top]!;
      const i = stack[--top]!;
      if (j - i < 2) continue;
      const ax = r[2 * i]!, ay = r[2 * i + 1]!;
      const bx = r[2 * (j % n)]!, by = r[2 * (j % n) + 1]!;
      const dx = bx - ax, dy = by - ay;
      const len2 = dx * dx + dy * dy;
      let best = -1, bestD = eps2;
      for (let k = i + 1; k < j; k++) {
        const qx = r[2 * k]! - ax, qy = r[2 * k + 1]! - ay;
        let d: number;
        if (len2 === 0) d = qx * qx + qy * qy;
        else {
          const t = Math.max(0, Math.min(1, (qx * dx + qy * dy) / len2));
          const ex = qx - t * dx, ey = qy - t * dy;
          d = ex * ex + ey * ey;
        }
        if (d > bestD) [best, bestD] = [k, d];
      }
      if (best < 0) continue;
      keep[best] = 1;
      stack[top++] = i;
      stack[top++] = best;
      stack[top++] = best;
      stack[top++] = j;
    }
    const out: Path64 = [];
    for (let i = 0; i < n; i++) if (keep[i]) out.push({ x: r[2 * i]!, y: r[2 * i + 1]! });
    return out;
  }
}

/**
 * Parallel lines at `spacing` (µm) and `angle` (degrees) clipped to `area` (non-zero winding), as x, y pairs in mm;
 * lines are aligned to a global grid. A scanline pass of our own: in a frame rotated by −angle the lines are
 * horizontal, and each one's inside stretches lie between its sorted crossings with the area's edges.
 */
export function linesIn(area: Paths64, spacing: number, angle: number): Float64Array[] {
  if (!area.length || !Number.isFinite(spacing) || spacing <= 0) return [];
  const rad = (angle * Math.PI) / 180;
  const cos = Math.cos(rad), sin = Math.sin(rad);
  let edgeCount = 0;
  for (const p of area) edgeCount += p.length;
  // Rotated vertices (rounded to the µm grid), each path closed back to its start.
  const rx = new Float64Array(edgeCount);
  const ry = new Float64Array(edgeCount);
  const pathEnd = new Int32Array(area.length);
  let minY = Infinity, maxY = -Infinity;
  let k = 0;
  for (let pi = 0; pi < area.length; pi++) {
    for (const q of area[pi]!) {
      rx[k] = Math.round(q.x * cos + q.y * sin);
      const y = Math.round(-q.x * sin + q.y * cos);
      ry[k++] = y;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    pathEnd[pi] = k;
  }
  const first = Math.ceil(minY / spacing);
  const lineCount = Math.floor(maxY / spacing) - first + 1;
  if (lineCount <= 0) return [];
  const lineY = (j: number) => Math.round((first + j) * spacing);
  // Which lines an edge crosses: those with y in [low, high) of its ends (half-open, so a vertex counts once).
  const counts = new Int32Array(lineCount + 1);
  const forEachCrossing = (visit: (line: number, a: number, b: number) => void) => {
    let start = 0;
    for (let pi = 0; pi < area.length; pi++) {
      const end = pathEnd[pi]!;
      for (let i = start; i < end; i++) {
        const j = i + 1 < end ? i + 1 : start;
        const ya = ry[i]!, yb = ry[j]!;
        if (ya === yb) continue;
        const lo = ya < yb ? ya : yb, hi = ya < yb ? yb : ya;
        let line = Math.max(0, Math.ceil(lo / spacing) - first);
        while (line < lineCount && lineY(line) < lo) line++;
        while (line > 0 && lineY(line - 1) >= lo) line--;
        for (; line < lineCount && lineY(line) < hi; line++) visit(line, i, j);
      }
      start = end;
    }
  };
  forEachCrossing((line) => counts[line + 1]!++);
  for (let j = 0; j < lineCount; j++) counts[j + 1]! += counts[j]!;
  const fill = counts.slice(0, lineCount);
  const xs = new Float64Array(counts[lineCount]!);
  const dirs = new Int8Array(xs.length);
  forEachCrossing((line, a, b) => {
    const y = lineY(line);
    const at = fill[line]!++;
    xs[at] = rx[a]! + ((y - ry[a]!) * (rx[b]! - rx[a]!)) / (ry[b]! - ry[a]!);
    dirs[at] = ry[b]! > ry[a]! ? 1 : -1;
  });
  const out: Float64Array[] = [];
  for (let line = 0; line < lineCount; line++) {
    const from = counts[line]!, to = counts[line + 1]!;
    // Insertion sort by x: a line crosses few edges.
    for (let i = from + 1; i < to; i++) {
      const x = xs[i]!, d = dirs[i]!;
      let j = i - 1;
      while (j >= from && xs[j]! > x) {
        xs[j + 1] = xs[j]!;
        dirs[j + 1] = dirs[j]!;
        j--;
      }
      xs[j + 1] = x;
      dirs[j + 1] = d;
    }
    const y = lineY(line);
    let winding = 0;
    let enter = 0;
    for (let i = from; i < to; i++) {
      const before = winding;
      winding += dirs[i]!;
      if (before === 0 && winding !== 0) enter = Math.round(xs[i]!);
      else if (before !== 0 && winding === 0) {
        const leave = Math.round(xs[i]!);
        if (leave > enter) {
          out.push(
            new Float64Array([
              Math.round(enter * cos - y * sin) / UM,
              Math.round(enter * sin + y * cos) / UM,
              Math.round(leave * cos - y * sin) / UM,
              Math.round(leave * sin + y * cos) / UM,
            ]),
          );
        }
      }
    }
  }
  return out;
}

function signedArea(p: Path64): number {
  let a = 0;
  for (let i = 0, j = p.length - 1; i < p.length; j = i++) a += (p[j]!.x + p[i]!.x) * (p[j]!.y - p[i]!.y);
  return -a / 2;
}

function toolPath(p: Path64, role: PathRole, closed: boolean): ToolPath {
  const points = new Float64Array(p.length * 2);
  p.forEach((q, i) => {
    points[i * 2] = q.x / UM;
    points[i * 2 + 1] = q.y / UM;
  });
  return { role, closed, points };
}

const roleOrder: PathRole[] = ['skirt', 'perimeter', 'external-perimeter', 'solid-infill', 'top-solid-infill', 'infill'];

/**
 * Within each role, nearest-neighbour order: every path starts where the nozzle is nearest (a loop is rotated to
 * begin there; an open line may be run backwards), which cuts travel and retractions.
 */
function orderPaths(paths: ToolPath[]): ToolPath[] {
  const out: ToolPath[] = [];
  let x = 0, y = 0;
  for (const role of roleOrder) {
    const pending = paths.filter((p) => p.role === role && p.points.length >= 4);
    const m = pending.length;
    // Ends of the open paths in flat arrays, scanned in the original order so ties go the same way.
    const done = new Uint8Array(m);
    const ends = new Float64Array(m * 4);
    for (let i = 0; i < m; i++) {
      const pts = pending[i]!.points;
      const n = pts.length;
      ends[i * 4] = pts[0]!;
      ends[i * 4 + 1] = pts[1]!;
      ends[i * 4 + 2] = pts[n - 2]!;
      ends[i * 4 + 3] = pts[n - 1]!;
    }
    const grid = m > 32 && pending.every((p) => !p.closed) ? new EndGrid(ends, m) : undefined;
    for (let left = m; left > 0; left--) {
      let best = -1, bestD = Infinity, bestStart = 0, bestReverse = false;
      if (grid) {
        const end = grid.nearest(x, y, done);
        best = end >> 1;
        bestReverse = (end & 1) === 1;
      }
      for (let i = 0; i < m && !grid; i++) {
        if (done[i]) continue;
        const p = pending[i]!;
        if (p.closed) {
          const pts = p.points;
          const n = pts.length / 2;
          for (let k = 0; k < n; k++) {
            const ddx = pts[k * 2]! - x, ddy = pts[k * 2 + 1]! - y;
            const d = ddx * ddx + ddy * ddy;
            if (d < bestD) {
              bestD = d;
              best = i;
              bestStart = k;
              bestReverse = false;
            }
          }
        } else {
          const ax = ends[i * 4]! - x, ay = ends[i * 4 + 1]! - y;
          const bx = ends[i * 4 + 2]! - x, by = ends[i * 4 + 3]! - y;
          const d0 = ax * ax + ay * ay;
          const d1 = bx * bx + by * by;
          if (d0 < bestD) {
            bestD = d0;
            best = i;
            bestStart = 0;
            bestReverse = false;
          }
          if (d1 < bestD) {
            bestD = d1;
            best = i;
            bestStart = 0;
            bestReverse = true;
          }
        }
      }
      if (best < 0) {
        // Only NaN coordinates left: keep them in their order.
        for (let i = 0; best < 0; i++) if (!done[i]) best = i;
      }
      done[best] = 1;
      const p = pending[best]!;
      const n = p.points.length / 2;
      let pts = p.points;
      if (p.closed ? bestStart !== 0 : bestReverse) {
        pts = new Float64Array(p.points.length);
        for (let k = 0; k < n; k++) {
          const src = p.closed ? (bestStart + k) % n : n - 1 - k;
          pts[k * 2] = p.points[src * 2]!;
          pts[k * 2 + 1] = p.points[src * 2 + 1]!;
        }
      }
      out.push(pts === p.points ? p : { ...p, points: pts });
      const last = p.closed ? 0 : n - 1;
      x = pts[last * 2]!;
      y = pts[last * 2 + 1]!;
    }
  }
  return out;
}

/**
 * The ends of open paths in a uniform grid, for nearest-end queries that visit rings of cells outwards. It answers
 * exactly what a scan of all ends in order would: the nearest end, ties to the lower path, then to its first end.
 */
class EndGrid {
  private readonly minX: number;
  private readonly minY: number;
  private readonly cell: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly cellStart: Int32Array;
  private readonly items: Int32Array;

  /** `ends`: x0, y0, x1, y1 of each of the m paths. */
  constructor(
    private readonly ends: Float64Array,
    m: number,
  ) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let k = 0; k < 2 * m; k++) {
      const x = ends[k * 2]!, y = ends[k * 2 + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const w = maxX - minX, h = maxY - minY;
    this.cell = Math.max(Math.sqrt((w * h) / m), w / 512, h / 512, 1e-3);
    this.minX = minX;
    this.minY = minY;
    this.nx = Math.floor(w / this.cell) + 1;
    this.ny = Math.floor(h / this.cell) + 1;
    this.cellStart = new Int32Array(this.nx * this.ny + 1);
    const cellOf = new Int32Array(2 * m);
    for (let k = 0; k < 2 * m; k++) {
      const c = Math.floor((ends[k * 2]! - minX) / this.cell) + Math.floor((ends[k * 2 + 1]! - minY) / this.cell) * this.nx;
      cellOf[k] = c;
      this.cellStart[c + 1]!++;
    }
    for (let c = 0; c < this.nx * this.ny; c++) this.cellStart[c + 1]! += this.cellStart[c]!;
    const fill = this.cellStart.slice(0, this.nx * this.ny);
    this.items = new Int32Array(2 * m);
    for (let k = 0; k < 2 * m; k++) this.items[fill[cellOf[k]!]!++] = k;
  }

  /** The nearest end (path × 2 + which end) among paths not done; at least one must be left. */
  nearest(x: number, y: number, done: Uint8Array): number {
    const { ends, items, cellStart, nx, ny, cell } = this;
    const qx = Math.floor((x - this.minX) / cell);
    const qy = Math.floor((y - this.minY) / cell);
    let best = -1, bestD = Infinity;
    const visit = (gx: number, gy: number) => {
      if (gx < 0 || gy < 0 || gx >= nx || gy >= ny) return;
      const c = gx + gy * nx;
      for (let t = cellStart[c]!; t < cellStart[c + 1]!; t++) {
        const k = items[t]!;
        if (done[k >> 1]) continue;
        const dx = ends[k * 2]! - x, dy = ends[k * 2 + 1]! - y;
        const d = dx * dx + dy * dy;
        if (d < bestD || (d === bestD && k < best)) {
          bestD = d;
          best = k;
        }
      }
    };
    for (let r = 0; ; r++) {
      const x0 = qx - r, x1 = qx + r, y0 = qy - r, y1 = qy + r;
      if (y0 >= 0 && y0 < ny) for (let gx = Math.max(0, x0); gx <= Math.min(nx - 1, x1); gx++) visit(gx, y0);
      if (r > 0 && y1 >= 0 && y1 < ny) for (let gx = Math.max(0, x0); gx <= Math.min(nx - 1, x1); gx++) visit(gx, y1);
      for (let gy = Math.max(0, y0 + 1); gy <= Math.min(ny - 1, y1 - 1); gy++) {
        visit(x0, gy);
        if (r > 0) visit(x1, gy);
      }
      // Ends not yet visited lie more than r cells' width away.
      if (best >= 0 && bestD <= (r * cell) ** 2) return best;
      if (x0 <= 0 && y0 <= 0 && x1 >= nx - 1 && y1 >= ny - 1) return best;
    }
  }
}

/**
 * Joins consecutive infill lines whose ends are close (the next scan line) into one zig-zag when the short link lies
 * inside the infill area: no travel, no retraction, no stop, as PrusaSlicer's connected infill. Without it a thin
 * band of solid infill is thousands of tiny separate lines.
 */
function linkInfill(paths: ToolPath[], area: Paths64, maxGapMm: number): ToolPath[] {
  const inArea = areaIndex(area);
  const linked = joinLines(paths, inArea, maxGapMm);
  // PrusaSlicer's "only retract when crossing perimeters": a travel that stays inside the infill area keeps its filament.
  for (let k = 1; k < linked.length; k++) {
    const prev = linked[k - 1]!;
    const p = linked[k]!;
    const n = prev.points.length;
    const ex = prev.closed ? prev.points[0]! : prev.points[n - 2]!;
    const ey = prev.closed ? prev.points[1]! : prev.points[n - 1]!;
    const sx = p.points[0]!;
    const sy = p.points[1]!;
    if (inArea(ex, ey) && inArea(sx, sy) && inArea((ex + sx) / 2, (ey + sy) / 2)) linked[k] = { ...p, retract: false };
  }
  return linked;
}

/**
 * Point-in-area for one layer's infill area: a point counts for each path it is inside of or on (by that path's
 * orientation, holes negative), as Clipper2's pointInPolygon per path would say. The edges are filed in horizontal
 * bands, so a query only looks at the edges at its height.
 */
export function areaIndex(area: Paths64): (x: number, y: number) => boolean {
  let edgeCount = 0;
  for (const p of area) edgeCount += p.length;
  if (!edgeCount) return () => false;
  const sign = new Int8Array(area.length);
  const ax = new Float64Array(edgeCount), ay = new Float64Array(edgeCount), bx = new Float64Array(edgeCount), by = new Float64Array(edgeCount);
  const pathOf = new Int32Array(edgeCount);
  let minY = Infinity, maxY = -Infinity, minX = Infinity, maxX = -Infinity;
  let k = 0;
  area.forEach((p, pi) => {
    sign[pi] = signedArea(p) > 0 ? 1 : -1;
    for (let i = 0; i < p.length; i++) {
      const a = p[i]!, b = p[(i + 1) % p.length]!;
      ax[k] = a.x;
      ay[k] = a.y;
      bx[k] = b.x;
      by[k] = b.y;
      pathOf[k++] = pi;
      if (a.y < minY) minY = a.y;
      if (a.y > maxY) maxY = a.y;
      if (a.x < minX) minX = a.x;
      if (a.x > maxX) maxX = a.x;
    }
  });
  const bands = Math.max(1, Math.min(1024, Math.ceil(edgeCount / 8)));
  const bandH = Math.max(1, (maxY - minY + 1) / bands);
  const bandOf = (y: number) => Math.min(bands - 1, Math.max(0, Math.floor((y - minY) / bandH)));
  const bandStart = new Int32Array(bands + 1);
  for (let e = 0; e < edgeCount; e++) for (let j = bandOf(Math.min(ay[e]!, by[e]!)); j <= bandOf(Math.max(ay[e]!, by[e]!)); j++) bandStart[j + 1]!++;
  for (let j = 0; j < bands; j++) bandStart[j + 1]! += bandStart[j]!;
  const fill = bandStart.slice(0, bands);
  const bandEdges = new Int32Array(bandStart[bands]!);
  for (let e = 0; e < edgeCount; e++) for (let j = bandOf(Math.min(ay[e]!, by[e]!)); j <= bandOf(Math.max(ay[e]!, by[e]!)); j++) bandEdges[fill[j]!++] = e;
  // Per path: crossings to the right (parity) and whether the point is on it, reset through a stamp.
  const parity = new Uint8Array(area.length);
  const on = new Uint8Array(area.length);
  const seen = new Int32Array(area.length);
  const touched = new Int32Array(area.length);
  let stamp = 0;
  return (x, y) => {
    const px = Math.round(x * UM), py = Math.round(y * UM);
    if (py < minY || py > maxY || px < minX || px > maxX) return false;
    stamp++;
    let nTouched = 0;
    const band = bandOf(py);
    for (let t = bandStart[band]!; t < bandStart[band + 1]!; t++) {
      const e = bandEdges[t]!;
      const y0 = ay[e]!, y1 = by[e]!;
      if ((py < y0 && py < y1) || (py > y0 && py > y1)) continue;
      const x0 = ax[e]!, x1 = bx[e]!;
      const p = pathOf[e]!;
      if (seen[p] !== stamp) {
        seen[p] = stamp;
        parity[p] = 0;
        on[p] = 0;
        touched[nTouched++] = p;
      }
      const cross = (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0);
      if (cross === 0 && px >= Math.min(x0, x1) && px <= Math.max(x0, x1)) on[p] = 1;
      else if (y0 > py !== y1 > py && cross > 0 === y1 > y0) parity[p] = parity[p]! ^ 1;
    }
    let winding = 0;
    for (let i = 0; i < nTouched; i++) {
      const p = touched[i]!;
      if (on[p] || parity[p]) winding += sign[p]!;
    }
    return winding > 0;
  };
}

function joinLines(paths: ToolPath[], inside: (x: number, y: number) => boolean, maxGapMm: number): ToolPath[] {
  const out: ToolPath[] = [];
  for (const p of paths) {
    const prev = out.at(-1);
    if (prev && !prev.closed && !p.closed && prev.role === p.role && p.role.endsWith('infill')) {
      const n = prev.points.length;
      const ex = prev.points[n - 2]!, ey = prev.points[n - 1]!;
      const sx = p.points[0]!, sy = p.points[1]!;
      if (Math.hypot(sx - ex, sy - ey) <= maxGapMm && inside((sx + ex) / 2, (sy + ey) / 2)) {
        const joined = new Float64Array(n + p.points.length);
        joined.set(prev.points);
        joined.set(p.points, n);
        out[out.length - 1] = { ...prev, points: joined };
        continue;
      }
    }
    out.push(p);
  }
  return out;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
