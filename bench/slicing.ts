// Slicing a ~200k-triangle model: our `dpm slice` against PrusaSlicer on the same STL and settings, in the same run,
// each as a whole process (wall time and peak RSS from /usr/bin/time). PrusaSlicer is skipped when not installed.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryStl, torus } from '../test/support/meshes.js';
import { repoRoot } from './lib.js';

function timed(cmd: string, args: string[]): { seconds: number; peakRssMiB: number } {
  const out = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { cwd: repoRoot, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${cmd} failed: ${out.stderr.slice(-500)}`);
  const [seconds, kb] = out.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, peakRssMiB: Math.round(kb! / 1024) };
}

export async function runSlicingBench() {
  const dir = await mkdtemp(join(tmpdir(), 'dpm-bench-slice-'));
  try {
    const mesh = torus(40, 12, 500, 200); // 200,000 triangles
    const stl = join(dir, 'model.stl');
    await writeFile(stl, binaryStl(mesh));
    const ours = timed(process.execPath, ['bin/dpm.js', 'slice', stl, '--out', join(dir, 'ours.gcode')]);
    const hasPrusa = spawnSync('sh', ['-c', 'command -v prusa-slicer']).status === 0;
    const prusa = hasPrusa
      ? timed('prusa-slicer', ['--export-gcode', '--loglevel', '1', '--layer-height', '0.2', '--first-layer-height', '0.2', '--perimeters', '2', '--top-solid-layers', '4', '--bottom-solid-layers', '3', '--fill-density', '20%', '--fill-pattern', 'grid', '--bed-shape', '0x0,220x0,220x220,0x220', '--center', '110,110', '--gcode-flavor', 'marlin2', '-o', join(dir, 'prusa.gcode'), stl])
      : undefined;
    const ratio = prusa ? ours.seconds / prusa.seconds : undefined;
    return {
      target: '<= 1.5x PrusaSlicer wall time',
      triangles: mesh.length / 9,
      ours,
      prusaSlicer: prusa ?? 'not installed: skipped',
      ratio,
      pass: ratio === undefined ? 'unknown' : ratio <= 1.5,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
