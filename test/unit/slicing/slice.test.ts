import { describe, expect, it } from 'vitest';
import { RuleViolation } from '../../../shared/errors.js';
import { toGcode } from '../../../shared/slicing/gcode.js';
import { defaultProfile, defaultSettings, SliceSettings } from '../../../shared/slicing/printer-profile.js';
import { simulateGcode } from '../../../shared/slicing/simulate.js';
import { slice } from '../../../shared/slicing/slice.js';
import { box, torus } from '../../support/meshes.js';

const cube = slice(box(20, 20, 20), defaultProfile, defaultSettings);
const cubeGcode = toGcode(cube, defaultProfile, defaultSettings);

describe('slicing', () => {
  it('cuts one first layer then full layers up to the top', () => {
    expect(cube.layers).toHaveLength(100);
    expect(cube.layers[0]).toMatchObject({ z: 0.2, height: 0.2 });
    expect(cube.layers.at(-1)!.z).toBeCloseTo(20, 6);
    const odd = slice(box(10, 10, 10.1), defaultProfile, defaultSettings);
    expect(odd.layers).toHaveLength(51);
  });

  it('centres the model on the bed and keeps every path inside its footprint plus the skirt', () => {
    expect(cube.bounds.min).toEqual([100, 100, 0]);
    expect(cube.bounds.max).toEqual([120, 120, 20]);
    for (const layer of cube.layers) {
      for (const p of layer.paths) {
        const margin = p.role === 'skirt' ? defaultSettings.skirtDistanceMm + 1 : 0;
        for (let k = 0; k < p.points.length; k += 2) {
          expect(p.points[k]!).toBeGreaterThanOrEqual(100 - margin - 1e-6);
          expect(p.points[k]!).toBeLessThanOrEqual(120 + margin + 1e-6);
        }
      }
    }
  });

  it('lays the perimeters, solid bottom and top layers, and sparse infill between them', () => {
    const roles = (i: number) => new Set(cube.layers[i]!.paths.map((p) => p.role));
    expect(roles(0)).toEqual(new Set(['skirt', 'perimeter', 'external-perimeter', 'solid-infill']));
    expect(cube.layers[0]!.paths.filter((p) => p.role === 'external-perimeter')).toHaveLength(1);
    expect(roles(2).has('infill')).toBe(false);
    expect(roles(50)).toEqual(new Set(['perimeter', 'external-perimeter', 'infill']));
    expect(roles(99).has('top-solid-infill')).toBe(true);
    expect(roles(96).has('infill')).toBe(false);
  });

  it('finds the hole of a torus: two external loops per layer through its middle', () => {
    const t = slice(torus(20, 6, 64, 32), defaultProfile, defaultSettings);
    expect(t.layers).toHaveLength(60);
    const middle = t.layers[30]!;
    expect(middle.paths.filter((p) => p.role === 'external-perimeter')).toHaveLength(2);
    expect(t.warnings).toEqual([]);
  });

  it('ignores zero-area triangles with two corners welded together (as on many exported meshes)', () => {
    const b = box(20, 20, 20);
    // Needles along the cube's vertical edges: corner, the same corner, the corner above it.
    const needles = [0, 1, 2, 3].flatMap((c) => {
      const [x, y] = [(c & 1) * 20, (c >> 1) * 20];
      return [x, y, 0, x, y, 0, x, y, 20];
    });
    const withNeedles = new Float32Array([...b, ...needles]);
    const r = slice(withNeedles, defaultProfile, defaultSettings);
    expect(r.warnings).toEqual([]);
    expect(toGcode(r, defaultProfile, defaultSettings).gcode).toBe(cubeGcode.gcode);
  });

  it('refuses meshes that are not watertight or do not fit the printer', () => {
    expect(() => slice(box(10, 10, 10).slice(18), defaultProfile, defaultSettings)).toThrow(RuleViolation);
    expect(() => slice(box(300, 10, 10), defaultProfile, defaultSettings)).toThrow('does not fit the printer');
  });

  it('lays no top or bottom solid layers when none are asked for', () => {
    const r = slice(box(20, 20, 4), defaultProfile, SliceSettings.parse({ topLayers: 0, bottomLayers: 0 }));
    const roles = new Set(r.layers.flatMap((l) => l.paths.map((p) => p.role)));
    expect(roles.has('solid-infill')).toBe(false);
    expect(roles.has('top-solid-infill')).toBe(false);
    expect(r.layers.every((l) => l.paths.some((p) => p.role === 'infill'))).toBe(true);
    const topOnly = slice(box(20, 20, 4), defaultProfile, SliceSettings.parse({ topLayers: 3, bottomLayers: 0 }));
    expect(topOnly.layers[0]!.paths.some((p) => p.role === 'infill')).toBe(true);
    expect(topOnly.layers.at(-1)!.paths.some((p) => p.role === 'top-solid-infill')).toBe(true);
  });

  it('follows the settings: rectilinear infill, no skirt, more perimeters', () => {
    const s = SliceSettings.parse({ infillPattern: 'rectilinear', skirtLoops: 0, perimeters: 3 });
    const r = slice(box(20, 20, 5), defaultProfile, s);
    expect(r.layers[0]!.paths.some((p) => p.role === 'skirt')).toBe(false);
    expect(r.layers[0]!.paths.filter((p) => p.role === 'perimeter')).toHaveLength(2);
  });
});

describe('G-code', () => {
  const lines = cubeGcode.gcode.split('\n');

  it('states the same time and filament as our simulator reading the G-code back (computed while writing, not by re-parsing)', () => {
    for (const result of [cube, slice(torus(20, 6, 64, 32), defaultProfile, defaultSettings)]) {
      const g = toGcode(result, defaultProfile, defaultSettings);
      const read = simulateGcode(g.gcode, defaultProfile.limits);
      expect(g.estimatedSeconds).toBe(read.seconds);
      expect(g.filamentMm).toBe(read.filamentMm);
    }
  });

  it('has a header with the statistics and one marker per layer', () => {
    expect(cubeGcode.gcode).toMatch(/^; generated by the DPM slicer\n; layer_count = 100\n; filament_used_mm = [\d.]+\n; filament_used_g = [\d.]+\n; estimated_printing_time_s = \d+/);
    expect(lines.filter((l) => l.startsWith(';LAYER:'))).toHaveLength(100);
    expect(cubeGcode.filamentGrams).toBeCloseTo((cubeGcode.filamentMm * Math.PI * 0.875 ** 2 * 1.24) / 1000, 6);
  });

  it('heats before it extrudes, extrudes in absolute mode, and shuts down at the end', () => {
    const firstExtrusion = lines.findIndex((l) => /^G1 X[\d.]+ Y[\d.]+ E/.test(l));
    expect(lines.findIndex((l) => l.startsWith('M109 S215'))).toBeLessThan(firstExtrusion);
    expect(lines.findIndex((l) => l.startsWith('M190 S60'))).toBeLessThan(firstExtrusion);
    expect(lines.findIndex((l) => l.startsWith('G28'))).toBeLessThan(firstExtrusion);
    expect(lines).toContain('M82 ; absolute extrusion');
    const end = lines.slice(lines.indexOf(';END'));
    for (const c of ['M104 S0', 'M140 S0', 'M107', 'M84']) expect(end.some((l) => l.startsWith(c)), c).toBe(true);
  });

  it('is well-formed: known commands, numeric words, E never decreasing except retractions, all within the bed', () => {
    let e = 0;
    let retractedFrom: number | undefined;
    for (const raw of lines) {
      const line = raw.replace(/;.*$/, '').trim();
      if (!line) continue;
      expect(line, raw).toMatch(/^(G0|G1|G21|G28|G90|G92|M82|M84|M104|M106|M107|M109|M140|M190|M201|M203|M204|M205)( [A-Z]-?\d+(\.\d+)?)*$/);
      const [cmd, ...rest] = line.split(' ');
      const words = Object.fromEntries(rest.map((w) => [w[0], Number(w.slice(1))]));
      if (cmd !== 'G0' && cmd !== 'G1') continue;
      for (const axis of ['X', 'Y'] as const) {
        if (words[axis] === undefined) continue;
        expect(words[axis], raw).toBeGreaterThanOrEqual(0);
        expect(words[axis], raw).toBeLessThanOrEqual(220);
      }
      if (words.E === undefined) continue;
      if (words.E < e - 1e-9) {
        // A retraction: the very next extruder move must give the filament back before anything is printed.
        expect(retractedFrom, raw).toBeUndefined();
        retractedFrom = e;
      } else if (retractedFrom !== undefined) {
        expect(words.E, raw).toBeCloseTo(retractedFrom, 5);
        expect(words.X === undefined && words.Y === undefined, raw).toBe(true);
        retractedFrom = undefined;
      }
      e = words.E;
    }
  });
});
