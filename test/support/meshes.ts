// Meshes built in code, for tests and benchmarks: exact geometry, so expected volumes and counts are known.

/** An axis-aligned box with outward-facing triangles (counter-clockwise seen from outside). */
export function box(sx: number, sy: number, sz: number, at: [number, number, number] = [0, 0, 0]): Float32Array {
  const [ox, oy, oz] = at;
  const p = (x: number, y: number, z: number) => [ox + x * sx, oy + y * sy, oz + z * sz];
  const v = [p(0, 0, 0), p(1, 0, 0), p(1, 1, 0), p(0, 1, 0), p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)];
  const faces = [
    [0, 2, 1], [0, 3, 2], // bottom (z = 0), normal −z
    [4, 5, 6], [4, 6, 7], // top, +z
    [0, 1, 5], [0, 5, 4], // front (y = 0), −y
    [2, 3, 7], [2, 7, 6], // back, +y
    [1, 2, 6], [1, 6, 5], // right (x = 1), +x
    [3, 0, 4], [3, 4, 7], // left, −x
  ];
  return new Float32Array(faces.flatMap((f) => f.flatMap((i) => v[i]!)));
}

/** A closed torus of `rings × sides × 2` triangles (genus 1). */
export function torus(major: number, minor: number, rings: number, sides: number): Float32Array {
  const out = new Float32Array(rings * sides * 2 * 9);
  const pt = (i: number, j: number): [number, number, number] => {
    const u = ((i % rings) / rings) * 2 * Math.PI;
    const w = ((j % sides) / sides) * 2 * Math.PI;
    const r = major + minor * Math.cos(w);
    return [r * Math.cos(u), r * Math.sin(u), minor * Math.sin(w)];
  };
  let o = 0;
  const put = (...ps: [number, number, number][]) => {
    for (const q of ps) {
      out[o++] = q[0];
      out[o++] = q[1];
      out[o++] = q[2];
    }
  };
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < sides; j++) {
      const a = pt(i, j);
      const b = pt(i + 1, j);
      const c = pt(i + 1, j + 1);
      const d = pt(i, j + 1);
      put(a, b, c);
      put(a, c, d);
    }
  }
  return out;
}

export function binaryStl(positions: Float32Array, header = 'dpm test mesh', declared?: number): Uint8Array<ArrayBuffer> {
  const n = positions.length / 9;
  const out = new Uint8Array(84 + n * 50);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(header.slice(0, 80)));
  view.setUint32(80, declared ?? n, true);
  for (let t = 0; t < n; t++) {
    const base = 84 + t * 50;
    for (let k = 0; k < 9; k++) view.setFloat32(base + 12 + k * 4, positions[t * 9 + k]!, true);
  }
  return out;
}

export function asciiStl(positions: Float32Array, name = 'part'): Uint8Array<ArrayBuffer> {
  const lines = [`solid ${name}`];
  for (let t = 0; t < positions.length / 9; t++) {
    lines.push('  facet normal 0 0 0', '    outer loop');
    for (let v = 0; v < 3; v++) {
      const b = t * 9 + v * 3;
      lines.push(`      vertex ${positions[b]} ${positions[b + 1]} ${positions[b + 2]}`);
    }
    lines.push('    endloop', '  endfacet');
  }
  lines.push(`endsolid ${name}`, '');
  return new TextEncoder().encode(lines.join('\n'));
}
