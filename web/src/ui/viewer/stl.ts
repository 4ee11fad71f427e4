// A small STL reader for the browser: binary and ASCII STL to a flat list of triangle corners, for the 3D viewer (a
// designer's local file before upload, and the previews the API serves as binary STL). It only needs to draw: the
// platform's own parser (shared/designs/stl.ts) stays the judge of what an upload is worth. Errors say what is wrong in
// words a designer can act on. No DOM, no three: plain TypeScript, unit-tested in test/unit/web/.

export class StlReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StlReadError';
  }
}

export interface StlMesh {
  format: 'binary' | 'ascii';
  triangleCount: number;
  /** Nine floats per triangle: three corners × x, y, z. Stored normals are ignored (the viewer computes its own). */
  positions: Float32Array;
}

const headerBytes = 84;
const triangleBytes = 50;

export function readStl(data: ArrayBuffer | Uint8Array): StlMesh {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length === 0) throw new StlReadError('The file is empty.');
  if (bytes.length >= headerBytes) {
    const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(80, true);
    // Checked first: many binary exporters begin their header with "solid" too.
    if (headerBytes + declared * triangleBytes === bytes.length) return readBinary(bytes, declared);
  }
  if (startsWithSolid(bytes)) return readAscii(bytes);
  if (bytes.length < headerBytes) throw new StlReadError('This is not an STL file: it is too short for binary STL and does not start with “solid”.');
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(80, true);
  const whole = Math.floor((bytes.length - headerBytes) / triangleBytes);
  if (whole < declared) throw new StlReadError(`The file is cut short: it says ${declared} triangles but holds ${whole}. Export or download it again.`);
  // Trailing bytes after the declared triangles: read what was declared.
  return readBinary(bytes, declared);
}

function readBinary(bytes: Uint8Array, count: number): StlMesh {
  if (count === 0) throw new StlReadError('The file holds no triangles.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const positions = new Float32Array(count * 9);
  for (let t = 0; t < count; t++) {
    const base = headerBytes + t * triangleBytes + 12;
    for (let k = 0; k < 9; k++) {
      const v = view.getFloat32(base + k * 4, true);
      if (!Number.isFinite(v)) throw new StlReadError(`Triangle ${t + 1} has a coordinate that is not a number.`);
      positions[t * 9 + k] = v;
    }
  }
  return { format: 'binary', triangleCount: count, positions };
}

function startsWithSolid(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  const word = String.fromCharCode(...bytes.subarray(i, i + 5)).toLowerCase();
  return word === 'solid';
}

const vertexLine = /\bvertex\s+(\S+)\s+(\S+)\s+(\S+)/gi;
const number = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function readAscii(bytes: Uint8Array): StlMesh {
  const text = new TextDecoder('latin1').decode(bytes);
  const coords: number[] = [];
  for (const m of text.matchAll(vertexLine)) {
    for (let k = 1; k <= 3; k++) {
      const token = m[k]!;
      // Coordinates are drawn as 32-bit floats: 1e39 is a number, but not one the viewer can place.
      if (!number.test(token) || !Number.isFinite(Math.fround(Number(token)))) {
        const line = text.slice(0, m.index).split('\n').length;
        throw new StlReadError(`Line ${line}: “${token.slice(0, 24)}” is not a coordinate.`);
      }
      coords.push(Number(token));
    }
  }
  if (coords.length === 0) throw new StlReadError('The file holds no triangles.');
  if (coords.length % 9 !== 0) throw new StlReadError('A facet does not have exactly three corners: only triangles can be drawn.');
  if (!/endsolid/i.test(text.slice(-4096))) throw new StlReadError('The file is cut short: “endsolid” is missing at the end. Export or download it again.');
  return { format: 'ascii', triangleCount: coords.length / 9, positions: Float32Array.from(coords) };
}
