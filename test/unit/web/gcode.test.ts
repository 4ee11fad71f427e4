// The viewer's G-code reader against G-code our slicer wrote for a small mesh, and against the variants other
// slicers write: relative extrusion (M83), G92 resets in the middle of a print, comments and line numbers.
import { describe, expect, it } from 'vitest';
import { toGcode } from '../../../shared/slicing/gcode.js';
import { defaultProfile, defaultSettings } from '../../../shared/slicing/printer-profile.js';
import { slice } from '../../../shared/slicing/slice.js';
import { GcodeParser, parseGcode, parseGcodeFile } from '../../../web/src/printer/gcode.js';
import { box } from '../../support/meshes.js';

const sliced = slice(box(20, 20, 2, [100, 100, 0]), defaultProfile, defaultSettings);
const ours = toGcode(sliced, defaultProfile, defaultSettings).gcode;

/** Rewrites absolute E (M82) as relative E (M83), as PrusaSlicer's default output has it. */
function toRelativeE(gcode: string): string {
  let last = 0;
  return gcode
    .split('\n')
    .map((line) => {
      if (line.startsWith('M82')) return 'M83 ; relative extrusion';
      if (line.startsWith('G92 E0')) {
        last = 0;
        return line;
      }
      const m = /^(G[01] .*?)E(-?[\d.]+)(.*)$/.exec(line);
      if (!m) return line;
      const e = Number(m[2]);
      const d = e - last;
      last = e;
      return `${m[1]}E${d.toFixed(5)}${m[3]}`;
    })
    .join('\n');
}

describe('the G-code reader of the layer viewer', () => {
  it('finds our slicer’s layers at their Z, with extrusions and travels apart', () => {
    const t = parseGcode(ours);
    expect(t.layers.length).toBe(sliced.layers.length);
    expect(t.layers.map((l) => l.z)).toEqual(sliced.layers.map((l) => Math.round(l.z * 1000) / 1000));
    for (const l of t.layers) {
      expect(l.extrusions.length % 4).toBe(0);
      expect(l.extrusions.length).toBeGreaterThan(0);
      expect(l.filamentMm).toBeGreaterThan(0);
    }
    // Every layer after the first travels from where the last one ended to its start.
    expect(t.layers.slice(1).every((l) => l.travels.length > 0)).toBe(true);
    // The part sits at 100..120 on the bed; the skirt loops around it, 6 mm out.
    expect(t.bounds.minX).toBeGreaterThan(90);
    expect(t.bounds.maxX).toBeLessThan(130);
    // The filament it counts is what the slicer's header says it used (less the final retraction).
    const used = Number(/filament_used_mm = ([\d.]+)/.exec(ours)![1]);
    expect(t.filamentMm).toBeGreaterThan(used * 0.98);
    expect(t.filamentMm).toBeLessThan(used * 1.02 + 2);
  });

  it('reads relative extrusion (M83) to the same toolpath', () => {
    const abs = parseGcode(ours);
    const rel = parseGcode(toRelativeE(ours));
    expect(rel.layers.length).toBe(abs.layers.length);
    expect(rel.layers.map((l) => l.extrusions.length)).toEqual(abs.layers.map((l) => l.extrusions.length));
    expect(rel.filamentMm).toBeCloseTo(abs.filamentMm, 1);
  });

  it('takes G92 resets: extrusion after `G92 E0` is measured from zero, not as a retraction', () => {
    const t = parseGcode(['G90', 'M82', 'G92 E0', 'G1 Z0.2', 'G1 X10 Y0 E5', 'G92 E0', 'G1 X20 Y0 E5', 'G1 Z0.4', 'G1 X20 Y10 E5.5'].join('\n'));
    expect(t.layers.map((l) => [l.z, l.extrusions.length / 4, l.filamentMm])).toEqual([
      [0.2, 2, 10],
      [0.4, 1, 0.5],
    ]);
    // Without the reset the second move would go backwards in E: a travel (a wipe), not an extrusion.
    const noReset = parseGcode(['M82', 'G1 Z0.2', 'G1 X10 Y0 E5', 'G1 X20 Y0 E5', 'G1 X30 Y0 E4'].join('\n'));
    expect(noReset.layers[0]!.extrusions.length / 4).toBe(1);
    expect(noReset.layers[0]!.travels.length / 4).toBe(2);
  });

  it('tells travels, retractions and z-hops from extrusions, and skips comments, line numbers and checksums', () => {
    const t = parseGcode(
      [
        '; a comment',
        'N1 G21*12',
        'G91 ; relative positions for a moment',
        'G1 Z0.2',
        'G90',
        'M83',
        'G1 X5 Y5 F3000 (travel)',
        'G1 X15 Y5 E0.8',
        'G1 E-1 ; retract, no movement',
        'G1 Z0.6 ; hop',
        'G0 X30 Y30',
        'G1 Z0.2',
        'G1 E1',
        'G1 X40 Y30 E0.8',
      ].join('\n'),
    );
    expect(t.layers.length).toBe(1);
    const [l] = t.layers;
    expect(l!.z).toBe(0.2);
    expect(l!.extrusions).toEqual([5, 5, 15, 5, 15, 5, 30, 30].slice(0, 4).concat([30, 30, 40, 30]));
    expect(l!.travels).toEqual([0, 0, 5, 5, 15, 5, 30, 30]);
    expect(t.lines).toBe(14);
  });

  it('reads a file in pieces (lines split between them) to the same toolpath, reporting progress', async () => {
    const whole = parseGcode(ours);
    const seen: number[] = [];
    const pieces = await parseGcodeFile(new Blob([ours]), (read) => seen.push(read), undefined, 997);
    expect(pieces.layers.map((l) => [l.z, l.extrusions.length, l.travels.length])).toEqual(whole.layers.map((l) => [l.z, l.extrusions.length, l.travels.length]));
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.at(-1)).toBe(new Blob([ours]).size);
    const p = new GcodeParser();
    p.push('G1 Z0.2\nG1 X1');
    p.push('0 Y0 E1\n');
    expect(p.finish().layers[0]!.extrusions).toEqual([0, 0, 10, 0]);
  });
});
