// STL parsing against three's STLLoader on the same 1M-triangle binary file, in the same run, and the printability
// check on 1M triangles.
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js';
import { checkPrintability } from '../shared/designs/printability.js';
import { parseStl } from '../shared/designs/stl.js';
import { binaryStl, torus } from '../test/support/meshes.js';

function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export async function runDesignsBench() {
  // 1000 × 500 × 2 = 1M triangles, closed (genus 1), so the printability check does all its work.
  const mesh = torus(60, 20, 1000, 500);
  const file = binaryStl(mesh);
  const mb = file.length / 1e6;
  const loader = new STLLoader();
  const arrayBuffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  // Warm both up first, then take the best of several runs of each.
  parseStl(file, { maxBytes: 1 << 30 });
  loader.parse(arrayBuffer);
  const oursMs = best(5, () => parseStl(file, { maxBytes: 1 << 30 }));
  const threeMs = best(5, () => loader.parse(arrayBuffer));

  const positions = parseStl(file, { maxBytes: 1 << 30 }).positions;
  await checkPrintability(torus(10, 3, 8, 6)); // loads the WASM kernel outside the timing
  const t0 = performance.now();
  const report = await checkPrintability(positions);
  const printabilityMs = performance.now() - t0;
  if (!report.printable) throw new Error(`the benchmark torus should be printable: ${report.problems.join('; ')}`);

  return {
    stlParsing: {
      target: '>= 1.0x three STLLoader, with full validation',
      triangles: mesh.length / 9,
      fileMB: mb,
      ours: { ms: oursMs, mbPerSecond: mb / (oursMs / 1000) },
      threeStlLoader: { ms: threeMs, mbPerSecond: mb / (threeMs / 1000) },
      ratio: threeMs / oursMs,
      pass: threeMs / oursMs >= 1,
    },
    printability: { target: '< 3 s for 1M triangles', triangles: report.topology.triangles, ms: printabilityMs, pass: printabilityMs < 3000 },
  };
}
