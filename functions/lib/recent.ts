// Reference data a function instance may use a little late: the fleet a match ranks, the printers' ratings, the
// carrier partners, the design a dispatch slices. Every order read them twice or more (placing it, dispatching each
// offer, shipping), and the list of printers is the largest read an order makes. Kept for `ttlMs` per instance, and
// readers who arrive while a read is under way share it. What must be exact is not read through this: a printer the
// customer chose, the order, the design's terms when an order is placed.
import { LRUCache } from 'lru-cache';

/** `load()`, at most once per `ttlMs` in this instance. */
export function recent<V>(ttlMs: number, load: () => Promise<V>): () => Promise<V> {
  const byKey = recentBy(ttlMs, (_: 'value') => load());
  return () => byKey('value');
}

/** `load(key)`, at most once per key and `ttlMs` in this instance (the least recently used of 64 keys go first). */
export function recentBy<K extends string, V>(ttlMs: number, load: (key: K) => Promise<V>): (key: K) => Promise<V> {
  // Boxed, so that "nothing there" (undefined) is kept like any other answer.
  const cache = new LRUCache<K, { v: V }>({ max: 64, ttl: ttlMs, fetchMethod: async (key) => ({ v: await load(key) }) });
  return async (key) => {
    const box = await cache.fetch(key);
    // fetch resolves undefined only when aborted, which nothing here does; read directly rather than fail.
    return box ? box.v : load(key);
  };
}

/**
 * `load()` kept for `ttlMs`, but only answered to a caller whose `asOf` (epoch ms) is no later than the moment the
 * kept read began: what was written before `asOf` is always seen. Shipping asks as of the order's placing, so a carrier
 * registered before an order was placed is never missed for it, while orders placed earlier share the kept list.
 */
export function recentAsOf<V>(ttlMs: number, load: () => Promise<V>, now: () => number = Date.now): (asOf: number) => Promise<V> {
  let kept: { began: number; value: Promise<V> } | undefined;
  return (asOf) => {
    const t = now();
    if (kept && kept.began >= asOf && t - kept.began < ttlMs) return kept.value;
    const read = { began: t, value: load() };
    kept = read;
    // A failed read is not kept.
    read.value.catch(() => {
      if (kept === read) kept = undefined;
    });
    return read.value;
  };
}

/** The same store with `list()` and/or `get(id)` read at most once per `ttlMs` (the rest of it is called through). */
export function withRecent<T extends object>(store: T, ttlMs: number, reads: { list?: boolean; get?: boolean }): T {
  const s = store as T & { list?: () => Promise<unknown>; get?: (id: string) => Promise<unknown> };
  const list = reads.list && s.list ? recent(ttlMs, () => s.list!()) : undefined;
  const get = reads.get && s.get ? recentBy(ttlMs, (id: string) => s.get!(id)) : undefined;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'list' && list) return list;
      if (prop === 'get' && get) return get;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
