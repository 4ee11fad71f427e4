// Slicing a ~200k-triangle model: our `dpm slice` against PrusaSlicer on the same STL and settings, in the same run,
// each as a whole process (wall time, CPU time and peak RSS from /usr/bin/time). PrusaSlicer is skipped when not
// installed. The two run alternately `runs` times (SLICING_BENCH_RUNS, default 3) and the medians are compared, as a
// shared machine's load comes and goes. CPU seconds are shown too: PrusaSlicer uses several threads, we use one.
// `startup` is `dpm slice` on a 12-triangle box: process start, loading the CLI and its imports, no real work.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryStl, box, torus } from '../test/support/meshes.js';
import { benchSettings, repoRoot, wholeNumber } from './lib.js';

interface Timed {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

function timed(cmd: string, args: string[]): Timed {
  const out = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { cwd: repoRoot, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${cmd} failed: ${out.stderr.slice(-500)}`);
  const [seconds, kb, user, sys] = out.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, cpuSeconds: Math.round((user! + sys!) * 100) / 100, peakRssMiB: Math.round(kb! / 1024) };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function summary(runs: Timed[]) {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
    runs: runs.map((r) => `${r.seconds} s / ${r.cpuSeconds} s CPU / ${r.peakRssMiB} MiB`),
  };
}

export async function runSlicingBench(runs = benchSettings({ SLICING_BENCH_RUNS: wholeNumber(3) }).SLICING_BENCH_RUNS) {
  const dir = await mkdtemp(join(tmpdir(), 'dpm-bench-slice-'));
  try {
    const mesh = torus(40, 12, 500, 200); // 200,000 triangles
    const stl = join(dir, 'model.stl');
    await writeFile(stl, binaryStl(mesh));
    const tiny = join(dir, 'tiny.stl');
    await writeFile(tiny, binaryStl(box(1, 1, 0.2)));
    const hasPrusa = spawnSync('sh', ['-c', 'command -v prusa-slicer']).status === 0;
    const ours: Timed[] = [];
    const prusa: Timed[] = [];
    const startup: Timed[] = [];
    for (let k = 0; k < Math.max(1, runs); k++) {
      startup.push(timed(process.execPath, ['bin/dpm.js', 'slice', tiny, '--out', join(dir, 'tiny.gcode')]));
      ours.push(timed(process.execPath, ['bin/dpm.js', 'slice', stl, '--out', join(dir, 'ours.gcode')]));
      if (hasPrusa) {
        prusa.push(
          timed('prusa-slicer', ['--export-gcode', '--loglevel', '1', '--layer-height', '0.2', '--first-layer-height', '0.2', '--perimeters', '2', '--top-solid-layers', '4', '--bottom-solid-layers', '3', '--fill-density', '20%', '--fill-pattern', 'grid', '--bed-shape', '0x0,220x0,220x220,0x220', '--center', '110,110', '--gcode-flavor', 'marlin2', '-o', join(dir, 'prusa.gcode'), stl]),
        );
      }
    }
    const oursSummary = summary(ours);
    const prusaSummary = hasPrusa ? summary(prusa) : undefined;
    const ratio = prusaSummary ? oursSummary.seconds / prusaSummary.seconds : undefined;
    return {
      target: '<= 1.5x PrusaSlicer wall time (medians)',
      triangles: mesh.length / 9,
      ours: oursSummary,
      startup: summary(startup),
      prusaSlicer: prusaSummary ?? 'not installed: skipped',
      ratio,
      pass: ratio === undefined ? 'unknown' : ratio <= 1.5,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
