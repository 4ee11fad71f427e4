// The browser's STL reader (web/src/ui/viewer/stl.ts): binary and ASCII to triangle corners, and errors a designer can
// act on. It must read what the platform's own parser reads, and the previews the API serves.
import { describe, expect, it } from 'vitest';
import { decimateForPreview, previewStl } from '../../../shared/designs/preview.js';
import { parseStl } from '../../../shared/designs/stl.js';
import { readStl, StlReadError } from '../../../web/src/ui/viewer/stl.js';
import { asciiStl, binaryStl, box, torus } from '../../support/meshes.js';

describe('readStl (browser)', () => {
  it('reads binary STL, from an ArrayBuffer or a view into a larger buffer', () => {
    const mesh = torus(20, 5, 24, 12);
    const stl = binaryStl(mesh);
    expect(readStl(stl.buffer)).toEqual({ format: 'binary', triangleCount: mesh.length / 9, positions: mesh });
    const padded = new Uint8Array(stl.length + 16);
    padded.set(stl, 8);
    expect(readStl(padded.subarray(8, 8 + stl.length)).positions).toEqual(mesh);
  });

  it('reads binary STL whose header starts with “solid”, as many exporters write it', () => {
    const mesh = box(1, 2, 3);
    const r = readStl(binaryStl(mesh, 'solid exported by some CAD tool'));
    expect(r.format).toBe('binary');
    expect(r.positions).toEqual(mesh);
  });

  it('reads ASCII STL, with the same triangles as the platform’s parser', () => {
    const stl = asciiStl(box(10, 20, 30, [-1.5, 2.25, 1e-3]));
    const mine = readStl(stl);
    const platform = parseStl(stl, { maxBytes: 1e7 });
    expect(mine.format).toBe('ascii');
    expect(mine.triangleCount).toBe(12);
    expect(mine.positions).toEqual(platform.positions);
  });

  it('reads the previews the API serves', () => {
    const preview = decimateForPreview(torus(20, 5, 48, 24));
    const r = readStl(previewStl(preview));
    expect(r.triangleCount).toBe(preview.triangleCount);
    expect(r.positions).toEqual(preview.positions);
  });

  it.each([
    ['an empty file', new Uint8Array(0), 'The file is empty.'],
    ['a short file that is not STL', new TextEncoder().encode('hello'), 'not an STL file'],
    ['a truncated binary file', binaryStl(box(1, 1, 1)).subarray(0, 84 + 5 * 50 + 7), 'says 12 triangles but holds 5'],
    ['a binary file with no triangles', binaryStl(new Float32Array(0)), 'no triangles'],
    ['ASCII without endsolid', new TextEncoder().encode(new TextDecoder().decode(asciiStl(box(1, 1, 1))).replace(/endsolid.*\n?$/, '')), '“endsolid” is missing'],
    ['ASCII with a word for a coordinate', new TextEncoder().encode('solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 zero 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid x\n'), 'Line 5: “zero” is not a coordinate.'],
    ['ASCII with a coordinate out of float range', new TextEncoder().encode('solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 1e39 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid x\n'), 'is not a coordinate'],
    ['ASCII with a quad', new TextEncoder().encode('solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 1 1 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid x\n'), 'exactly three corners'],
  ])('refuses %s with a readable message', (_what, bytes, message) => {
    expect(() => readStl(bytes)).toThrow(StlReadError);
    expect(() => readStl(bytes)).toThrow(message);
  });

  it('refuses a binary triangle with a NaN coordinate', () => {
    const mesh = box(1, 1, 1);
    mesh[13] = Number.NaN;
    expect(() => readStl(binaryStl(mesh))).toThrow('Triangle 2 has a coordinate that is not a number.');
  });
});
