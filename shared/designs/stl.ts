// Our own STL reader. three's STLLoader stays for display only: it throws RangeErrors on empty files and wrong face
// counts, yields fractional triangle counts on malformed ASCII and silently returns nothing when `endsolid` is missing.
// Every way an upload can be broken gets its own problem code and a message that says where.
import { InvalidInput } from '../errors.js';

export type StlProblem = 'empty' | 'too-large' | 'truncated' | 'triangle-count' | 'non-finite' | 'syntax' | 'no-triangles';

export class InvalidStl extends InvalidInput {
  constructor(
    readonly problem: StlProblem,
    message: string,
  ) {
    super(message, { problem });
  }
}

export interface ParsedStl {
  format: 'binary' | 'ascii';
  /** The ASCII solid's name, or the binary header as text with padding removed. */
  name: string;
  triangleCount: number;
  /** Nine floats per triangle (three vertices × x, y, z) in file order. Stored normals are ignored. */
  positions: Float32Array;
  /** Oddities that did not prevent reading the file, e.g. padding after the last binary triangle. */
  warnings: string[];
}

export interface StlLimits {
  maxBytes: number;
}

const headerBytes = 84;
const triangleBytes = 50;

export function parseStl(bytes: Uint8Array, limits: StlLimits): ParsedStl {
  if (bytes.length > limits.maxBytes) {
    throw new InvalidStl('too-large', `The STL file is ${bytes.length} bytes; the limit is ${limits.maxBytes} bytes`);
  }
  if (bytes.length === 0 || isBlank(bytes)) throw new InvalidStl('empty', 'The STL file is empty');

  if (bytes.length >= headerBytes) {
    const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(80, true);
    // The size check comes first: many binary exporters start their 80-byte header with "solid".
    if (headerBytes + declared * triangleBytes === bytes.length) return parseBinary(bytes, declared);
  }
  if (startsWithSolid(bytes) && looksLikeText(bytes)) return parseAscii(bytes);
  if (bytes.length < headerBytes) {
    throw new InvalidStl('truncated', `The file is ${bytes.length} bytes: too short for a binary STL (header and count take 84 bytes) and not ASCII STL`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(80, true);
  return parseBinary(bytes, declared);
}

function parseBinary(bytes: Uint8Array, declared: number): ParsedStl {
  const warnings: string[] = [];
  const expected = headerBytes + declared * triangleBytes;
  const body = bytes.length - headerBytes;
  if (bytes.length < expected) {
    const whole = Math.floor(body / triangleBytes);
    if (body % triangleBytes === 0) {
      throw new InvalidStl(
        'triangle-count',
        `The header declares ${declared} triangles but the file holds ${whole} (${bytes.length} bytes; ${declared} triangles need ${expected})`,
      );
    }
    throw new InvalidStl('truncated', `The file is truncated: it ends inside triangle ${whole + 1} of ${declared} (${bytes.length} of ${expected} bytes)`);
  }
  const extra = bytes.length - expected;
  if (extra >= triangleBytes) {
    throw new InvalidStl(
      'triangle-count',
      `The header declares ${declared} triangles but the file has room for ${declared + Math.floor(extra / triangleBytes)} (${extra} bytes after triangle ${declared})`,
    );
  }
  if (extra > 0) warnings.push(`${extra} bytes of padding after the last triangle were ignored`);
  if (declared === 0) throw new InvalidStl('no-triangles', 'The STL file contains no triangles');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const positions = new Float32Array(declared * 9);
  let o = 0;
  for (let t = 0, p = headerBytes + 12; t < declared; t++, p += triangleBytes) {
    let bad = 0;
    for (let k = 0; k < 36; k += 4) {
      const v = view.getFloat32(p + k, true);
      bad += v - v; // NaN for NaN and ±Infinity, 0 otherwise: one check per triangle instead of nine
      positions[o++] = v;
    }
    if (bad !== 0) throw nonFinite(t, positions.subarray(t * 9, t * 9 + 9));
  }
  return { format: 'binary', name: headerText(bytes), triangleCount: declared, positions, warnings };
}

function nonFinite(triangle: number, coords: Float32Array): InvalidStl {
  const i = coords.findIndex((v) => !Number.isFinite(v));
  return new InvalidStl(
    'non-finite',
    `Triangle ${triangle + 1}, vertex ${Math.floor(i / 3) + 1} has ${Number.isNaN(coords[i]) ? 'a NaN' : 'an infinite'} ${'xyz'[i % 3]} coordinate`,
  );
}

function headerText(bytes: Uint8Array): string {
  let end = 80;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(bytes[i]! >= 0x20 && bytes[i]! < 0x7f ? bytes[i]! : 0x3f);
  return s.replace(/^solid\s*/, '').trim();
}

function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (!isSpace(bytes[i]!)) return false;
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x0b;
}

function startsWithSolid(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  return i + 5 <= bytes.length && String.fromCharCode(...bytes.subarray(i, i + 5)).toLowerCase() === 'solid';
}

/** ASCII STL is plain text: no NUL or other control bytes in its first kilobyte. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c < 0x20 && !isSpace(c)) return false;
  }
  return true;
}

/** A whitespace tokenizer over the raw bytes that knows its line number, so every syntax error can say where. */
class Tokens {
  private i = 0;
  line = 1;
  constructor(private readonly b: Uint8Array) {}

  next(): string | undefined {
    const b = this.b;
    while (this.i < b.length && isSpace(b[this.i]!)) {
      if (b[this.i] === 0x0a) this.line++;
      this.i++;
    }
    if (this.i >= b.length) return undefined;
    const start = this.i;
    while (this.i < b.length && !isSpace(b[this.i]!)) this.i++;
    // Keywords and numbers are ASCII; latin1 decoding of the slice is exact for them and cheap.
    return latin1(b, start, this.i);
  }

  restOfLine(): string {
    const b = this.b;
    const start = this.i;
    while (this.i < b.length && b[this.i] !== 0x0a) this.i++;
    return latin1(b, start, this.i).trim();
  }
}

const latin1Decoder = new TextDecoder('latin1');

function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return latin1Decoder.decode(b.subarray(start, end));
}

function parseAscii(bytes: Uint8Array): ParsedStl {
  const t = new Tokens(bytes);
  const warnings: string[] = [];
  const syntax = (what: string) => new InvalidStl('syntax', `Line ${t.line}: ${what}`);
  const expect = (word: string, context: string) => {
    const got = t.next();
    if (got === undefined) throw new InvalidStl('truncated', `The ASCII STL ends early: expected "${word}" ${context} at line ${t.line}`);
    if (got.toLowerCase() !== word) throw syntax(`expected "${word}" ${context}, found "${clip(got)}"`);
  };
  const number = (what: string, triangle: number): number => {
    const got = t.next();
    if (got === undefined) throw new InvalidStl('truncated', `The ASCII STL ends early inside facet ${triangle + 1} (line ${t.line})`);
    if (!decimal.test(got)) {
      if (notFinite.test(got)) throw new InvalidStl('non-finite', `Line ${t.line}: facet ${triangle + 1} has a non-finite ${what} ("${clip(got)}")`);
      throw syntax(`expected a number for the ${what} of facet ${triangle + 1}, found "${clip(got)}"`);
    }
    // Coordinates are stored as float32: 1e39 is a valid decimal but infinite there.
    const v = Math.fround(Number(got));
    if (!Number.isFinite(v)) throw new InvalidStl('non-finite', `Line ${t.line}: facet ${triangle + 1} has a ${what} out of float range ("${clip(got)}")`);
    return v;
  };

  expect('solid', 'at the start');
  const name = t.restOfLine();
  let positions = new Float32Array(Math.max(9, Math.min(1 << 20, Math.floor(bytes.length / 250) * 9)));
  let count = 0;
  let solids = 1;
  for (;;) {
    const word = t.next()?.toLowerCase();
    if (word === undefined) throw new InvalidStl('truncated', `The ASCII STL ends without "endsolid" after ${count} facets (line ${t.line})`);
    if (word === 'endsolid') {
      t.restOfLine();
      const more = t.next()?.toLowerCase();
      if (more === undefined) break;
      // Some exporters write one solid per part into the same file.
      if (more !== 'solid') throw syntax(`unexpected "${clip(more)}" after "endsolid"`);
      t.restOfLine();
      solids++;
      continue;
    }
    if (word !== 'facet') throw syntax(`expected "facet" or "endsolid", found "${clip(word)}"`);
    expect('normal', 'after "facet"');
    for (let k = 0; k < 3; k++) {
      // Stored normals are recomputed from the vertices; only check they are numbers.
      const n = t.next();
      if (n === undefined) throw new InvalidStl('truncated', `The ASCII STL ends early inside facet ${count + 1} (line ${t.line})`);
      if (!decimal.test(n) && !notFinite.test(n)) throw syntax(`expected a number in the normal of facet ${count + 1}, found "${clip(n)}"`);
    }
    expect('outer', `in facet ${count + 1}`);
    expect('loop', `in facet ${count + 1}`);
    if (positions.length < (count + 1) * 9) {
      const grown = new Float32Array(positions.length * 2);
      grown.set(positions);
      positions = grown;
    }
    for (let v = 0; v < 3; v++) {
      const w = t.next()?.toLowerCase();
      if (w === undefined) throw new InvalidStl('truncated', `The ASCII STL ends early inside facet ${count + 1} (line ${t.line})`);
      if (w === 'endloop') throw syntax(`facet ${count + 1} has ${v} vertices; a triangle needs 3`);
      if (w !== 'vertex') throw syntax(`expected "vertex" in facet ${count + 1}, found "${clip(w)}"`);
      for (let a = 0; a < 3; a++) positions[count * 9 + v * 3 + a] = number(`${'xyz'[a]} coordinate of vertex ${v + 1}`, count);
    }
    const end = t.next()?.toLowerCase();
    if (end === 'vertex') throw syntax(`facet ${count + 1} has more than 3 vertices; only triangles are allowed`);
    if (end === undefined) throw new InvalidStl('truncated', `The ASCII STL ends early inside facet ${count + 1} (line ${t.line})`);
    if (end !== 'endloop') throw syntax(`expected "endloop" in facet ${count + 1}, found "${clip(end)}"`);
    expect('endfacet', `after facet ${count + 1}`);
    count++;
  }
  if (count === 0) throw new InvalidStl('no-triangles', 'The STL file contains no triangles');
  if (solids > 1) warnings.push(`${solids} solids were merged into one mesh`);
  return { format: 'ascii', name, triangleCount: count, positions: positions.slice(0, count * 9), warnings };
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const notFinite = /^[+-]?(nan|inf|infinity)$/i;

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}
