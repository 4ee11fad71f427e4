// The printability report of a design: our own edge counts decide watertightness; manifold-3d (a proper solid
// kernel) gives volume and genus once the mesh is known to be closed; the rest is geometry.
import Module from 'manifold-3d';
import { analyzeTopology, type MeshTopology } from './mesh-topology.js';

/** Densities in g/cm³ of the filaments we offer, for the mass of a solid print. */
export const materialDensity = {
  PLA: 1.24,
  PETG: 1.27,
  ABS: 1.04,
  ASA: 1.07,
  TPU: 1.21,
  PA: 1.14,
} as const;
export type Material = keyof typeof materialDensity;

export interface BuildVolume {
  x: number;
  y: number;
  z: number;
}

export interface BoundingBox {
  min: [number, number, number];
  max: [number, number, number];
  size: [number, number, number];
}

export type Solid =
  | { kind: 'solid'; volumeMm3: number; surfaceAreaMm2: number; genus: number; massGrams: Record<Material, number> }
  | { kind: 'not-solid'; reason: string };

export interface PrintabilityReport {
  topology: Omit<MeshTopology, 'welded'>;
  boundingBox: BoundingBox;
  solid: Solid;
  /** True when nothing stops this mesh from being sliced as a closed solid. */
  printable: boolean;
  problems: string[];
}

type ManifoldModule = Awaited<ReturnType<typeof Module>>;
let kernel: Promise<ManifoldModule> | undefined;

function manifoldKernel(): Promise<ManifoldModule> {
  kernel ??= Module().then((m) => {
    m.setup();
    return m;
  });
  return kernel;
}

export function boundingBox(positions: Float32Array): BoundingBox {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let a = 0; a < 3; a++) {
      const v = positions[i + a]!;
      if (v < min[a]!) min[a] = v;
      if (v > max[a]!) max[a] = v;
    }
  }
  return { min, max, size: [max[0] - min[0], max[1] - min[1], max[2] - min[2]] };
}

export async function checkPrintability(positions: Float32Array): Promise<PrintabilityReport> {
  const { welded, ...topology } = analyzeTopology(positions);
  const problems: string[] = [];
  if (topology.boundaryEdges) problems.push(`${topology.boundaryEdges} open edges: the surface has holes`);
  if (topology.nonManifoldEdges) problems.push(`${topology.nonManifoldEdges} edges are shared by more than two faces`);
  if (topology.flippedEdges) problems.push(`${topology.flippedEdges} edges lie between faces facing opposite ways: some faces are flipped`);
  if (topology.degenerateTriangles) problems.push(`${topology.degenerateTriangles} degenerate triangles (zero area)`);

  let solid: Solid;
  if (!topology.watertight) {
    solid = { kind: 'not-solid', reason: 'the mesh is not watertight' };
  } else {
    solid = await measureSolid(welded.positions, welded.indices);
    if (solid.kind === 'not-solid') problems.push(`not a valid solid: ${solid.reason}`);
    else if (solid.volumeMm3 <= 0) problems.push('the faces point inwards: the volume is not positive');
  }
  return {
    topology,
    boundingBox: boundingBox(positions),
    solid,
    printable: topology.watertight && solid.kind === 'solid' && solid.volumeMm3 > 0,
    problems,
  };
}

async function measureSolid(vertProperties: Float32Array, triVerts: Uint32Array): Promise<Solid> {
  const wasm = await manifoldKernel();
  // Degenerate triangles are dropped before the kernel sees them; they were already reported.
  const kept = new Uint32Array(triVerts.length);
  let n = 0;
  for (let t = 0; t < triVerts.length; t += 3) {
    const a = triVerts[t]!;
    const b = triVerts[t + 1]!;
    const c = triVerts[t + 2]!;
    if (a === b || b === c || a === c) continue;
    kept[n++] = a;
    kept[n++] = b;
    kept[n++] = c;
  }
  const mesh = new wasm.Mesh({ numProp: 3, vertProperties, triVerts: kept.subarray(0, n) });
  let manifold: InstanceType<ManifoldModule['Manifold']> | undefined;
  try {
    manifold = new wasm.Manifold(mesh);
    const status = manifold.status();
    if (status !== 'NoError') return { kind: 'not-solid', reason: String(status) };
    const volumeMm3 = manifold.volume();
    const massGrams = Object.fromEntries(
      Object.entries(materialDensity).map(([m, density]) => [m, round((volumeMm3 / 1000) * density, 3)]),
    ) as Record<Material, number>;
    return { kind: 'solid', volumeMm3, surfaceAreaMm2: manifold.surfaceArea(), genus: manifold.genus(), massGrams };
  } catch (err) {
    return { kind: 'not-solid', reason: (err as Error).message || 'rejected by the solid kernel' };
  } finally {
    manifold?.delete();
  }
}

export type Fit = { fits: true; rotatedZ90: boolean } | { fits: false; overBy: [number, number, number] };

/** Whether a part fits a build volume as modelled, or turned a quarter about Z (the only turn that keeps the base). */
export function fitsBuildVolume(size: readonly [number, number, number], volume: BuildVolume): Fit {
  const [x, y, z] = size;
  if (x <= volume.x && y <= volume.y && z <= volume.z) return { fits: true, rotatedZ90: false };
  if (y <= volume.x && x <= volume.y && z <= volume.z) return { fits: true, rotatedZ90: true };
  return { fits: false, overBy: [Math.max(0, x - volume.x), Math.max(0, y - volume.y), Math.max(0, z - volume.z)] };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
