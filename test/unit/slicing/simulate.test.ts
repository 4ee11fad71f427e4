import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../../../shared/slicing/printer-profile.js';
import { InvalidGcode, simulateGcode, trapezoid } from '../../../shared/slicing/simulate.js';

const limits = { ...defaultProfile.limits, accelMmS2: 1000, travelAccelMmS2: 1000, retractAccelMmS2: 1000, jerkMmS: 10, maxFeedMmS: 500 };

describe('G-code time simulation', () => {
  it('times a single long move as a trapezoid: accelerate, cruise, brake', () => {
    // 100 mm at 50 mm/s with a = 1000 mm/s²: 2.5 ms… no: 0.05 s to reach speed over 1.25 mm each way.
    const s = simulateGcode('G90\nG1 X100 F3000\n', limits);
    expect(s.seconds).toBeCloseTo(0.05 + 0.05 + (100 - 2.5) / 50, 9);
    expect(trapezoid(100, 0, 0, 50, 1000)).toBeCloseTo(2.05, 9);
  });

  it('never reaches cruise on a short move (triangle profile)', () => {
    // 1 mm at 100 mm/s, a = 1000: peak sqrt(1000) ≈ 31.6 mm/s, t = 2·peak/a.
    expect(trapezoid(1, 0, 0, 100, 1000)).toBeCloseTo((2 * Math.sqrt(1000)) / 1000, 9);
  });

  it('keeps speed through a straight continuation and slows for a corner', () => {
    const straight = simulateGcode('G1 X50 F3000\nG1 X100\n', limits).seconds;
    const corner = simulateGcode('G1 X50 F3000\nG1 X50 Y50\n', limits).seconds;
    expect(straight).toBeCloseTo(simulateGcode('G1 X100 F3000\n', limits).seconds, 9);
    expect(corner).toBeGreaterThan(straight);
  });

  it('counts net filament across retractions and G92 resets, and reports per layer', () => {
    const g = [';LAYER:0', 'G92 E0', 'M82', 'G1 X10 E1 F1200', 'G1 E-1 F2400', 'G0 X20', 'G1 E1', 'G1 X30 E2', ';LAYER:1', 'G92 E0', 'G1 Z0.4', 'G1 X40 E0.5'].join('\n');
    const s = simulateGcode(g, limits);
    expect(s.filamentMm).toBeCloseTo(2.5, 9);
    expect(s.layers.map((l) => l.index)).toEqual([0, 1]);
    expect(s.layers[1]!.cumulativeSeconds).toBeCloseTo(s.seconds, 9);
    expect(s.byType.retraction).toBeGreaterThan(0);
  });

  it('understands relative positioning and extrusion', () => {
    const s = simulateGcode('G91\nG1 X10 E1 F600\nG1 X10 E1\nM83\nG1 X-20 E1\n', limits);
    expect(s.filamentMm).toBeCloseTo(3, 9);
  });

  it('ignores comments and commands without motion, and names the line of a bad number', () => {
    expect(simulateGcode('; only a comment\nM104 S200\nM106 S255\nT0\n', limits).seconds).toBe(0);
    expect(() => simulateGcode('G1 X10 F600\nG1 Xten\n', limits)).toThrow(InvalidGcode);
    expect(() => simulateGcode('G1 X10 F600\nG1 Xten\n', limits)).toThrow('Line 2: "Xten" is not a number for X');
  });
});
