// Our slicer and simulator against PrusaSlicer (Debian `prusa-slicer`, headless) on the same STL with the same
// settings: equal layer counts, filament within 10 %, and our simulator's estimate of PrusaSlicer's own G-code within
// 15 % of PrusaSlicer's estimate. Skipped, saying so, where the binary is not installed (.ci/run installs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGcode } from '../../../shared/slicing/gcode.js';
import { defaultProfile, defaultSettings } from '../../../shared/slicing/printer-profile.js';
import { simulateGcode } from '../../../shared/slicing/simulate.js';
import { slice } from '../../../shared/slicing/slice.js';
import { binaryStl, box, torus } from '../../support/meshes.js';

const hasPrusaSlicer = spawnSync('sh', ['-c', 'command -v prusa-slicer'], { encoding: 'utf8' }).status === 0;
if (!hasPrusaSlicer) console.warn('prusa-slicer is not installed: the PrusaSlicer comparison is skipped (apt-get install prusa-slicer to run it)');

const args = (stl: string, out: string) => [
  '--export-gcode', '--loglevel', '1', '--nozzle-diameter', '0.4', '--filament-diameter', '1.75', '--layer-height', '0.2', '--first-layer-height', '0.2',
  '--perimeters', '2', '--top-solid-layers', '4', '--bottom-solid-layers', '3', '--fill-density', '20%', '--temperature', '210', '--first-layer-temperature', '215',
  '--bed-temperature', '60', '--bed-shape', '0x0,220x0,220x220,0x220', '--fill-pattern', 'grid', '--filament-density', '1.24', '--max-print-height', '250',
  '--center', '110,110', '--gcode-flavor', 'marlin2', '-o', out, stl,
];

function prusaFigures(gcode: string) {
  const time = /estimated printing time \(normal mode\) = (?:(\d+)h )?(?:(\d+)m )?(\d+)s/.exec(gcode)!;
  return {
    layers: (gcode.match(/^;LAYER_CHANGE/gm) ?? []).length,
    filamentMm: Number(/filament used \[mm\] = ([\d.]+)/.exec(gcode)![1]),
    seconds: Number(time[1] ?? 0) * 3600 + Number(time[2] ?? 0) * 60 + Number(time[3]),
  };
}

describe.skipIf(!hasPrusaSlicer)('against PrusaSlicer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-prusa-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a 20 mm cube', box(20, 20, 20)],
    ['a torus (R 20, r 6, 8k triangles)', torus(20, 6, 128, 32)],
    // The slicing benchmark's model: its contours are simplified to 0.0125 mm like PrusaSlicer's output.
    ['the bench torus (R 40, r 12, 200k triangles)', torus(40, 12, 500, 200)],
  ])('%s', async (name, mesh) => {
    const stl = join(dir, `${name.length}.stl`);
    const out = join(dir, `${name.length}.gcode`);
    await writeFile(stl, binaryStl(mesh));
    execFileSync('prusa-slicer', args(stl, out), { stdio: 'ignore' });
    const prusaText = await readFile(out, 'utf8');
    const prusa = prusaFigures(prusaText);
    const ours = toGcode(slice(mesh, defaultProfile, defaultSettings), defaultProfile, defaultSettings);
    const simulatedPrusa = simulateGcode(prusaText, defaultProfile.limits).seconds;
    console.log(
      `${name}: layers ${ours.layerCount} vs ${prusa.layers}; filament ${ours.filamentMm.toFixed(0)} vs ${prusa.filamentMm} mm ` +
        `(${((ours.filamentMm / prusa.filamentMm - 1) * 100).toFixed(1)} %); our simulator on PrusaSlicer's G-code ${(simulatedPrusa / 60).toFixed(1)} vs its ` +
        `${(prusa.seconds / 60).toFixed(1)} min (${((simulatedPrusa / prusa.seconds - 1) * 100).toFixed(1)} %); our G-code ${(ours.estimatedSeconds / 60).toFixed(1)} min`,
    );
    expect(ours.layerCount).toBe(prusa.layers);
    expect(Math.abs(ours.filamentMm / prusa.filamentMm - 1)).toBeLessThan(0.1);
    expect(Math.abs(simulatedPrusa / prusa.seconds - 1)).toBeLessThan(0.15);
  });
});
