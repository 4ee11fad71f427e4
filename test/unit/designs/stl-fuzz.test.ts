// 10,000+ mutated STL files: the parser must never crash with anything but InvalidStl, never hang, and whatever it
// accepts must be internally consistent.
import { describe, expect, it } from 'vitest';
import { InvalidStl, parseStl } from '../../../shared/designs/stl.js';
import { asciiStl, binaryStl, box, torus } from '../../support/meshes.js';

/** A small deterministic PRNG (mulberry32), so a failure reproduces from its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = [binaryStl(box(1, 2, 3)), binaryStl(torus(10, 3, 8, 6), 'solid looks like ascii'), asciiStl(box(3, 2, 1)), asciiStl(torus(5, 1, 6, 4))];
const tokens = ['solid', 'endsolid', 'facet', 'normal', 'outer', 'loop', 'vertex', 'endloop', 'endfacet', 'nan', '-inf', '1e39', '\n', ' ', '\0', 'ß'];

function mutate(input: Uint8Array, r: () => number): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = 1 + Math.floor(r() * 4);
  for (let k = 0; k < rounds; k++) {
    const at = Math.floor(r() * (b.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0: // flip bits
        if (b.length) b[at % b.length]! ^= 1 << Math.floor(r() * 8);
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: // random bytes
        for (let i = 0; i < 1 + r() * 8 && b.length; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        break;
      case 3: {
        // splice in a token
        const t = new TextEncoder().encode(tokens[Math.floor(r() * tokens.length)]!);
        b = new Uint8Array([...b.subarray(0, at), ...t, ...b.subarray(at)]);
        break;
      }
      case 4: // delete a range
        b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + Math.floor(r() * 40))]);
        break;
      case 5: // rewrite the binary triangle count
        if (b.length >= 84) new DataView(b.buffer, b.byteOffset).setUint32(80, r() < 0.5 ? Math.floor(r() * 2 ** 32) : Math.floor(r() * 200), true);
        break;
      default: // duplicate a range
        b = new Uint8Array([...b, ...b.subarray(at, at + Math.floor(r() * 100))]);
    }
  }
  return b;
}

describe('STL parser under 10,000 mutated inputs', () => {
  it('rejects with InvalidStl and a message, or returns a consistent mesh', () => {
    const r = rng(20261124);
    const outcomes = { accepted: 0, rejected: 0 };
    const problems = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const input = mutate(seeds[i % seeds.length]!, r);
      try {
        const parsed = parseStl(input, { maxBytes: 1 << 16 });
        expect(parsed.positions.length).toBe(parsed.triangleCount * 9);
        expect(parsed.triangleCount).toBeGreaterThan(0);
        for (const v of parsed.positions) if (!Number.isFinite(v)) throw new Error(`input ${i}: accepted a non-finite coordinate`);
        outcomes.accepted++;
      } catch (err) {
        if (!(err instanceof InvalidStl)) throw new Error(`input ${i} crashed the parser`, { cause: err });
        expect(err.message.length).toBeGreaterThan(10);
        problems.add(err.problem);
        outcomes.rejected++;
      }
    }
    // The mutations reach every kind of failure, and leave some inputs valid.
    // (Every seed is under the size limit, so 'too-large' has its own unit test instead.)
    expect([...problems].sort()).toEqual(['empty', 'no-triangles', 'non-finite', 'syntax', 'triangle-count', 'truncated']);
    expect(outcomes.accepted).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(5000);
    // 10,000 parses take about 2 s on a quiet machine; CI machines are not quiet.
  }, 60_000);
});
