import { describe, expect, it } from 'vitest';
import { InvalidStl, parseStl, type StlProblem } from '../../../shared/designs/stl.js';
import { asciiStl, binaryStl, box } from '../../support/meshes.js';

const limits = { maxBytes: 1 << 20 };
const cube = box(10, 20, 30);
const text = (s: string) => new TextEncoder().encode(s);

function problemOf(bytes: Uint8Array, l = limits): { problem: StlProblem; message: string } {
  try {
    parseStl(bytes, l);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidStl);
    return { problem: (err as InvalidStl).problem, message: (err as InvalidStl).message };
  }
  throw new Error('parseStl accepted the input');
}

describe('parseStl: valid files', () => {
  it('reads binary STL exactly', () => {
    const parsed = parseStl(binaryStl(cube, 'a cube'), limits);
    expect(parsed).toMatchObject({ format: 'binary', name: 'a cube', triangleCount: 12, warnings: [] });
    expect(Array.from(parsed.positions)).toEqual(Array.from(cube));
  });

  it('reads ASCII STL exactly, including the solid’s name with spaces', () => {
    const parsed = parseStl(asciiStl(cube, 'my little cube'), limits);
    expect(parsed).toMatchObject({ format: 'ascii', name: 'my little cube', triangleCount: 12 });
    expect(Array.from(parsed.positions)).toEqual(Array.from(cube));
  });

  it('reads a binary file whose header starts with "solid" as binary', () => {
    const parsed = parseStl(binaryStl(cube, 'solid exported by a CAD tool'), limits);
    expect(parsed.format).toBe('binary');
    expect(parsed.triangleCount).toBe(12);
  });

  it('accepts upper-case keywords, CRLF line ends and exponents', () => {
    const s = 'SOLID x\r\nFACET NORMAL 0 0 1\r\nOUTER LOOP\r\nVERTEX 0 0 0\r\nVERTEX 1e1 0 0\r\nVERTEX 0 1.5E+1 -0\r\nENDLOOP\r\nENDFACET\r\nENDSOLID x\r\n';
    const parsed = parseStl(text(s), limits);
    expect(Array.from(parsed.positions)).toEqual([0, 0, 0, 10, 0, 0, 0, 15, -0]);
  });

  it('merges several solids in one ASCII file, with a warning', () => {
    const one = new TextDecoder().decode(asciiStl(box(1, 1, 1), 'a'));
    const parsed = parseStl(text(one + one), limits);
    expect(parsed.triangleCount).toBe(24);
    expect(parsed.warnings).toEqual(['2 solids were merged into one mesh']);
  });

  it('tolerates padding shorter than a triangle after the last binary triangle', () => {
    const bytes = new Uint8Array([...binaryStl(cube), 0, 0, 0, 0]);
    expect(parseStl(bytes, limits).warnings).toEqual(['4 bytes of padding after the last triangle were ignored']);
  });
});

describe('parseStl: each broken file gets its own clear error', () => {
  it('empty files', () => {
    expect(problemOf(new Uint8Array())).toEqual({ problem: 'empty', message: 'The STL file is empty' });
    expect(problemOf(text(' \n\t ')).problem).toBe('empty');
  });

  it('files over the size limit, before any parsing', () => {
    expect(problemOf(binaryStl(cube), { maxBytes: 100 })).toEqual({
      problem: 'too-large',
      message: `The STL file is ${84 + 12 * 50} bytes; the limit is 100 bytes`,
    });
  });

  it('truncated binary files say where they end', () => {
    const bytes = binaryStl(cube).subarray(0, 84 + 5 * 50 + 17);
    expect(problemOf(bytes)).toEqual({ problem: 'truncated', message: 'The file is truncated: it ends inside triangle 6 of 12 (351 of 684 bytes)' });
    expect(problemOf(binaryStl(cube).subarray(0, 40)).problem).toBe('truncated');
  });

  it('wrong triangle counts, too high and too low', () => {
    expect(problemOf(binaryStl(cube, 'x', 13)).message).toBe('The header declares 13 triangles but the file holds 12 (684 bytes; 13 triangles need 734)');
    expect(problemOf(binaryStl(cube, 'x', 10))).toMatchObject({ problem: 'triangle-count', message: expect.stringContaining('declares 10 triangles but the file has room for 12') });
    // A "solid" header does not turn a miscounted binary file into bad ASCII: it is still a count problem.
    expect(problemOf(binaryStl(cube, 'solid x', 11)).problem).toBe('triangle-count');
  });

  it('NaN and infinite coordinates, binary and ASCII, naming the triangle', () => {
    const nan = cube.slice();
    nan[9 * 4 + 4] = Number.NaN;
    expect(problemOf(binaryStl(nan))).toEqual({ problem: 'non-finite', message: 'Triangle 5, vertex 2 has a NaN y coordinate' });
    const inf = cube.slice();
    inf[2] = Infinity;
    expect(problemOf(binaryStl(inf)).message).toBe('Triangle 1, vertex 1 has an infinite z coordinate');
    const ascii = new TextDecoder().decode(asciiStl(box(1, 1, 1))).replace('vertex 1 0 0', 'vertex 1 nan 0');
    expect(problemOf(text(ascii)).problem).toBe('non-finite');
    expect(problemOf(text(new TextDecoder().decode(asciiStl(box(1, 1, 1))).replace('vertex 1 0 0', 'vertex 1 1e39 0'))).problem).toBe('non-finite');
  });

  it('ASCII syntax errors name the line', () => {
    const ok = new TextDecoder().decode(asciiStl(box(1, 1, 1)));
    expect(problemOf(text(ok.replace('vertex 1 0 0', 'vertex 1 zero 0')))).toEqual({
      problem: 'syntax',
      message: expect.stringMatching(/^Line \d+: expected a number for the y coordinate of vertex \d of facet \d+, found "zero"$/),
    });
    expect(problemOf(text(ok.replace('outer loop', 'outer lop'))).message).toMatch(/^Line 3: expected "loop" in facet 1, found "lop"$/);
    const fourVertices = ok.replace('endloop', 'vertex 0 0 0\n    endloop');
    expect(problemOf(text(fourVertices)).message).toContain('facet 1 has more than 3 vertices');
    const twoVertices = ok.replace(/(outer loop\n\s+vertex [^\n]+\n\s+vertex [^\n]+\n)\s+vertex [^\n]+\n/, '$1');
    expect(problemOf(text(twoVertices)).message).toContain('facet 1 has 2 vertices; a triangle needs 3');
  });

  it('ASCII files that end early or lack endsolid', () => {
    const ok = new TextDecoder().decode(asciiStl(box(1, 1, 1)));
    expect(problemOf(text(ok.replace(/endsolid.*\n$/, '')))).toEqual({
      problem: 'truncated',
      message: expect.stringContaining('ends without "endsolid" after 12 facets'),
    });
    expect(problemOf(text(ok.slice(0, ok.length / 2))).problem).toBe('truncated');
  });

  it('files without triangles', () => {
    expect(problemOf(text('solid empty\nendsolid empty\n')).problem).toBe('no-triangles');
    expect(problemOf(binaryStl(new Float32Array())).problem).toBe('no-triangles');
  });

  it('binary garbage that is neither format', () => {
    expect(problemOf(new Uint8Array([1, 2, 3, 4, 5])).problem).toBe('truncated');
  });
});
