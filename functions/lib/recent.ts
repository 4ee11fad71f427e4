// Reference data a function instance may use a little late: the fleet a match ranks, the printers' ratings, the
// carrier partners. Every order read them twice or more (placing it, dispatching each offer, shipping), and the list
// of printers is the largest read an order makes. Kept for `ttlMs` per instance, and readers who arrive while a read is
// under way share it. What must be exact is not read through this: a printer the customer chose, the order, the design.
import { LRUCache } from 'lru-cache';

/** `load()`, at most once per `ttlMs` in this instance. */
export function recent<V extends object>(ttlMs: number, load: () => Promise<V>): () => Promise<V> {
  const byKey = recentBy(ttlMs, (_: 'value') => load());
  return () => byKey('value');
}

/** `load(key)`, at most once per key and `ttlMs` in this instance (the least recently used of 64 keys go first). */
export function recentBy<K extends string, V extends object>(ttlMs: number, load: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new LRUCache<K, V>({ max: 64, ttl: ttlMs, fetchMethod: (key) => load(key) });
  return async (key) => {
    const v = await cache.fetch(key);
    // fetch resolves undefined only when aborted, which nothing here does; read directly rather than fail.
    return v ?? load(key);
  };
}

/** The same store, its `list()` read at most once per `ttlMs` (the rest of it is called through). */
export function withRecentList<T extends { list(): Promise<unknown[]> }>(store: T, ttlMs: number): T {
  const list = recent(ttlMs, () => store.list());
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'list') return list;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
