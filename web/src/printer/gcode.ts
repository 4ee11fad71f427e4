// A G-code toolpath reader for the layer viewer: moves split into extrusions and travels, grouped in layers by the
// Z they extrude at (so it reads any slicer's output, not only ours, and needs no `;LAYER:` comments). It reads text
// in chunks as they arrive, so a large file can be parsed piecewise with progress shown between pieces.
// Understood: G0/G1 (G2/G3 arcs as straight lines to their end), G90/G91, M82/M83, G92, G20/G21, G28.

export interface ToolpathLayer {
  /** Z of the layer's extrusions, mm. */
  z: number;
  /** Extruding moves: x0, y0, x1, y1 per segment. */
  extrusions: number[];
  /** Moves without extrusion (travels, wipes while retracting): x0, y0, x1, y1 per segment. */
  travels: number[];
  /** Filament pushed in this layer, mm. */
  filamentMm: number;
}

export interface Toolpath {
  layers: ToolpathLayer[];
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
  /** Lines read, comments and blanks included. */
  lines: number;
  filamentMm: number;
}

/** Z values closer than this are one layer (slicers print Z with 3 decimals). */
const zTolerance = 1e-4;

export class GcodeParser {
  private carry = '';
  private lines = 0;
  private absXYZ = true;
  private absE = true;
  private unit = 1;
  private x = 0;
  private y = 0;
  private z = 0;
  private e = 0;
  private readonly layers: ToolpathLayer[] = [];
  private current: ToolpathLayer | undefined;
  /** Travels since the last extrusion, with their Z: they belong to the layer the next extrusion opens, if at their Z. */
  private pending: { z: number; seg: [number, number, number, number] }[] = [];
  private bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };

  /** Feeds the next piece of text; a line split between pieces is completed by the next one. */
  push(text: string): void {
    const all = this.carry + text;
    let start = 0;
    for (;;) {
      const nl = all.indexOf('\n', start);
      if (nl < 0) break;
      this.line(all.slice(start, nl));
      start = nl + 1;
    }
    this.carry = all.slice(start);
  }

  finish(): Toolpath {
    if (this.carry) this.line(this.carry);
    this.carry = '';
    this.flushPending(undefined);
    const b = this.bounds;
    const filamentMm = this.layers.reduce((n, l) => n + l.filamentMm, 0);
    return { layers: this.layers, bounds: Number.isFinite(b.minX) ? { ...b } : { minX: 0, minY: 0, maxX: 1, maxY: 1 }, lines: this.lines, filamentMm };
  }

  private line(raw: string): void {
    this.lines++;
    let s = raw;
    const semi = s.indexOf(';');
    if (semi >= 0) s = s.slice(0, semi);
    if (s.includes('(')) s = s.replace(/\([^)]*\)/g, '');
    const star = s.indexOf('*');
    if (star >= 0) s = s.slice(0, star);
    s = s.trim().toUpperCase();
    if (!s) return;
    const words = s.match(/[A-Z][-+]?(?:\d+\.?\d*|\.\d+)?/g);
    if (!words) return;
    let i = 0;
    if (words[0]!.startsWith('N')) i = 1;
    const command = words[i];
    if (!command) return;
    const args: Record<string, number> = {};
    for (let k = i + 1; k < words.length; k++) {
      const w = words[k]!;
      const v = Number(w.slice(1));
      if (w.length > 1 && Number.isFinite(v)) args[w[0]!] = v;
      else args[w[0]!] = NaN;
    }
    switch (command) {
      case 'G0':
      case 'G00':
      case 'G1':
      case 'G01':
      case 'G2':
      case 'G02':
      case 'G3':
      case 'G03':
        this.move(args);
        return;
      case 'G90':
        this.absXYZ = true;
        // Marlin: G90 also makes E absolute unless M83 came after; slicers always send M82/M83 explicitly.
        this.absE = true;
        return;
      case 'G91':
        this.absXYZ = false;
        this.absE = false;
        return;
      case 'M82':
        this.absE = true;
        return;
      case 'M83':
        this.absE = false;
        return;
      case 'G20':
        this.unit = 25.4;
        return;
      case 'G21':
        this.unit = 1;
        return;
      case 'G92':
        // Sets the current position without moving: without arguments, every axis is zero.
        if (Object.keys(args).length === 0) {
          this.x = this.y = this.z = this.e = 0;
          return;
        }
        if (Number.isFinite(args.X)) this.x = args.X! * this.unit;
        if (Number.isFinite(args.Y)) this.y = args.Y! * this.unit;
        if (Number.isFinite(args.Z)) this.z = args.Z! * this.unit;
        if (Number.isFinite(args.E)) this.e = args.E! * this.unit;
        return;
      case 'G28': {
        const all = !('X' in args) && !('Y' in args) && !('Z' in args);
        if (all || 'X' in args) this.x = 0;
        if (all || 'Y' in args) this.y = 0;
        if (all || 'Z' in args) this.z = 0;
        return;
      }
      default:
        return;
    }
  }

  private move(a: Record<string, number>): void {
    const at = (v: number | undefined, cur: number, abs: boolean) => (v === undefined || !Number.isFinite(v) ? cur : abs ? v * this.unit : cur + v * this.unit);
    const x = at(a.X, this.x, this.absXYZ);
    const y = at(a.Y, this.y, this.absXYZ);
    const z = at(a.Z, this.z, this.absXYZ);
    const e = at(a.E, this.e, this.absE);
    const de = e - this.e;
    const moved = Math.abs(x - this.x) > 1e-9 || Math.abs(y - this.y) > 1e-9;
    if (moved) {
      const seg: [number, number, number, number] = [this.x, this.y, x, y];
      if (de > 1e-9) this.extrude(z, seg, de);
      else this.pending.push({ z, seg });
    }
    this.x = x;
    this.y = y;
    this.z = z;
    this.e = e;
  }

  private extrude(z: number, seg: [number, number, number, number], de: number): void {
    if (!this.current || Math.abs(this.current.z - z) > zTolerance) {
      const layer: ToolpathLayer = { z: Math.round(z * 1000) / 1000, extrusions: [], travels: [], filamentMm: 0 };
      this.flushPending(layer);
      this.layers.push(layer);
      this.current = layer;
    } else this.flushPending(this.current);
    this.current.extrusions.push(...seg);
    this.current.filamentMm += de;
    const b = this.bounds;
    b.minX = Math.min(b.minX, seg[0], seg[2]);
    b.maxX = Math.max(b.maxX, seg[0], seg[2]);
    b.minY = Math.min(b.minY, seg[1], seg[3]);
    b.maxY = Math.max(b.maxY, seg[1], seg[3]);
  }

  /** Travels at the new layer's Z go with it; the ones before the Z change stay with the layer they left. */
  private flushPending(next: ToolpathLayer | undefined): void {
    for (const p of this.pending) {
      const target = next && Math.abs(p.z - next.z) <= zTolerance ? next : (this.current ?? next);
      target?.travels.push(...p.seg);
    }
    this.pending = [];
  }
}

/** Parses a whole text at once (tests, small files). */
export function parseGcode(text: string): Toolpath {
  const p = new GcodeParser();
  p.push(text);
  return p.finish();
}

/**
 * Parses a file piece by piece, yielding to the page between pieces so it stays responsive and can show
 * `onProgress(bytesRead, size)`; `signal` stops it (a newer file was chosen).
 */
export async function parseGcodeFile(file: Blob, onProgress: (read: number, size: number) => void, signal?: AbortSignal, chunkBytes = 1 << 20): Promise<Toolpath> {
  const parser = new GcodeParser();
  const decoder = new TextDecoder();
  for (let at = 0; at < file.size; at += chunkBytes) {
    if (signal?.aborted) throw new DOMException('Replaced by another file', 'AbortError');
    const bytes = await file.slice(at, at + chunkBytes).arrayBuffer();
    parser.push(decoder.decode(bytes, { stream: true }));
    onProgress(Math.min(file.size, at + chunkBytes), file.size);
    await new Promise((r) => setTimeout(r, 0));
  }
  parser.push(decoder.decode());
  return parser.finish();
}
