// Device shadows as AWS IoT keeps them (classic, unnamed): a JSON document with `desired` and `reported` state, merged
// on update (a null deletes a key), versioned, with `delta` = desired values that reported does not match yet. The
// broker serves the MQTT side ($aws/things/<thing>/shadow/...) and the data-plane HTTP API serves the SDK side, both
// over this store, so a printer and the platform see one shadow.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface ShadowDocument {
  state: { desired?: Obj; reported?: Obj; delta?: Obj };
  metadata: { desired?: Obj; reported?: Obj };
  version: number;
  timestamp: number;
}

export class ShadowRejected extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function merge(target: Obj | undefined, patch: Obj, at: number, meta: Obj | undefined): { value: Obj; meta: Obj } {
  const value: Obj = { ...(target ?? {}) };
  const metadata: Obj = { ...(meta ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete value[k];
      delete metadata[k];
    } else if (isObj(v)) {
      const inner = merge(isObj(value[k]) ? (value[k] as Obj) : undefined, v, at, isObj(metadata[k]) ? (metadata[k] as Obj) : undefined);
      value[k] = inner.value;
      metadata[k] = inner.meta;
    } else {
      value[k] = v;
      metadata[k] = { timestamp: at };
    }
  }
  return { value, meta: metadata };
}

/** Desired values that reported does not (yet) hold. */
function deltaOf(desired: Obj | undefined, reported: Obj | undefined): Obj | undefined {
  if (!desired) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(desired)) {
    const r = reported?.[k];
    if (isObj(v) && isObj(r)) {
      const inner = deltaOf(v, r);
      if (inner) out[k] = inner;
    } else if (JSON.stringify(v) !== JSON.stringify(r)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export class ShadowStore {
  private constructor(
    private readonly file: string,
    private readonly shadows: Record<string, ShadowDocument>,
  ) {}

  static async open(dataDir: string): Promise<ShadowStore> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, 'shadows.json');
    const shadows = await readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as Record<string, ShadowDocument>,
      () => ({}),
    );
    return new ShadowStore(file, shadows);
  }

  private saving = Promise.resolve();
  private save() {
    this.saving = this.saving.then(async () => {
      await writeFile(`${this.file}.tmp`, JSON.stringify(this.shadows));
      await rename(`${this.file}.tmp`, this.file);
    });
    return this.saving;
  }

  get(thing: string): ShadowDocument {
    const s = this.shadows[thing];
    if (!s) throw new ShadowRejected(404, `No shadow exists with name: '${thing}'`);
    const copy = structuredClone(s);
    const delta = deltaOf(copy.state.desired, copy.state.reported);
    return { ...copy, state: { ...copy.state, ...(delta ? { delta } : {}) }, timestamp: Math.floor(Date.now() / 1000) };
  }

  /** Applies an update request; returns what AWS publishes on /accepted, /delta and /documents. */
  async update(thing: string, request: unknown): Promise<{ accepted: object; delta?: object; documents: object }> {
    if (!isObj(request) || !isObj(request.state)) throw new ShadowRejected(400, 'Missing required node: state');
    const state = request.state;
    for (const k of Object.keys(state)) if (k !== 'desired' && k !== 'reported') throw new ShadowRejected(400, `State contains an invalid node: '${k}'`);
    if (state.desired !== undefined && state.desired !== null && !isObj(state.desired)) throw new ShadowRejected(400, 'Desired must be an object');
    if (state.reported !== undefined && state.reported !== null && !isObj(state.reported)) throw new ShadowRejected(400, 'Reported must be an object');
    const current = this.shadows[thing];
    if (typeof request.version === 'number' && current && request.version !== current.version) throw new ShadowRejected(409, 'Version conflict');
    const at = Math.floor(Date.now() / 1000);
    const previous = current ? structuredClone(current) : undefined;
    const next: ShadowDocument = current ? structuredClone(current) : { state: {}, metadata: {}, version: 0, timestamp: at };
    for (const part of ['desired', 'reported'] as const) {
      const patch = state[part];
      if (patch === undefined) continue;
      if (patch === null) {
        delete next.state[part];
        delete next.metadata[part];
        continue;
      }
      const merged = merge(next.state[part], patch as Obj, at, next.metadata[part]);
      next.state[part] = merged.value;
      next.metadata[part] = merged.meta;
    }
    next.version += 1;
    next.timestamp = at;
    this.shadows[thing] = next;
    await this.save();
    const clientToken = typeof request.clientToken === 'string' ? { clientToken: request.clientToken } : {};
    const delta = deltaOf(next.state.desired, next.state.reported);
    return {
      accepted: { state, metadata: {}, version: next.version, timestamp: at, ...clientToken },
      // AWS publishes a delta only when the update touched desired state that differs from reported.
      delta: delta && state.desired ? { state: delta, version: next.version, timestamp: at, ...clientToken } : undefined,
      documents: { previous: previous ?? null, current: next, timestamp: at, ...clientToken },
    };
  }

  async delete(thing: string): Promise<object> {
    const s = this.shadows[thing];
    if (!s) throw new ShadowRejected(404, `No shadow exists with name: '${thing}'`);
    delete this.shadows[thing];
    await this.save();
    return { version: s.version, timestamp: Math.floor(Date.now() / 1000) };
  }

  async flush(): Promise<void> {
    await this.saving;
  }
}
