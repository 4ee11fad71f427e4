// What the verify use case keeps between requests (one memo per process, a warm Lambda's or the local platform's),
// and the rules that keep each entry exactly as good as a fresh read.
import type { TagRecord } from './ports.js';
import type { MemoryStep } from './verify-product.js';

/** A map that forgets its oldest entry when full: a warm function may see many products. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

export const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

/** A tag as issued, without its read counter: the part of a tag record that never changes after tagging. */
export type IssuedTag = Omit<TagRecord, 'lastCounter'>;

export interface VerifiedHistory {
  /** The asset's latest transaction when the history was read: while the ledger names the same one, nothing changed. */
  lastTxId: string;
  memory: readonly MemoryStep[];
  asset: { assetId: string; currentOwner?: string; transactions: number };
  /** Who signed the asset's CREATE: a material lot belongs to a product only if both have the same creator. */
  createdBy?: string;
}

/** An asset's history (a product's, or its material lot's): verified (and kept), or not, with what is wrong. */
export type HistoryCheck = { verified: true; history: VerifiedHistory } | { verified: false; problems: string[]; memory: MemoryStep[]; asset: VerifiedHistory['asset'] };

const settled = () => undefined;

/**
 * Reads shared by concurrent callers without being staler than a read of one's own: a caller that arrives while a
 * read is in flight waits for the next one, which starts when that read ends, so every answer comes from a read
 * begun after its caller asked. Under load (many scans of one product at once) most callers share a read; a caller
 * alone (a Lambda serves one request at a time) reads as before.
 */
export class FreshReads<K, V> {
  private readonly pending = new Map<K, { running: Promise<V>; queued?: Promise<V> }>();

  read(key: K, load: () => Promise<V>): Promise<V> {
    // A load that throws instead of rejecting still ends its read.
    const start = (): Promise<V> => {
      try {
        return load();
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
    const entry = this.pending.get(key);
    if (!entry) {
      const running = start();
      const started = { running };
      this.pending.set(key, started);
      this.forgetWhenDone(key, started, running);
      return running;
    }
    entry.queued ??= entry.running.then(settled, settled).then(() => {
      const running = start();
      entry.running = running;
      entry.queued = undefined;
      this.forgetWhenDone(key, entry, running);
      return running;
    });
    return entry.queued;
  }

  private forgetWhenDone(key: K, entry: { running: Promise<V>; queued?: Promise<V> }, running: Promise<V>) {
    void running.then(settled, settled).then(() => {
      if (entry.running === running && !entry.queued && this.pending.get(key) === entry) this.pending.delete(key);
    });
  }
}

/**
 * What verifying remembers between requests, each kept only as long as it cannot differ from a fresh read:
 * - issued tags: a tag record is written once at tagging; only its read counter moves afterwards, and the counter is
 *   never read from here (a tap is judged by the conditional write that advances it);
 * - which asset a product is (its CREATE id) and the design's registration: committed transactions never change;
 * - which asset a material lot is, once found created by the product's creator: the same reason. A lot not found yet
 *   is searched for again on every request (its first certificate may arrive at any time), concurrent searches shared;
 * - a product's verified history, until the ledger names another latest transaction for the asset. Each TRANSFER
 *   spends the one before it by id and every id is a hash of its transaction, so the same latest transaction means
 *   the same chain. A history that did not verify is not kept: it is read and checked again on every request.
 * One per process (a warm Lambda), built where the handler builds its clients.
 */
export class VerificationMemo {
  readonly tags = new BoundedMap<string, IssuedTag>(50_000);
  readonly assets = new BoundedMap<string, { id: string; designAssetId?: string; materialLot?: string }>(50_000);
  /** Lot id → the lot's asset id, kept once linked to a verified product (by the same creator). */
  readonly lots = new BoundedMap<string, string>(50_000);
  readonly designs = new BoundedMap<string, { memory: readonly MemoryStep[] }>(10_000);
  readonly histories = new BoundedMap<string, VerifiedHistory>(50_000);
  /** Concurrent checks of one asset's latest transaction share a ledger read, and so do re-reads of its history. */
  readonly lastTxReads = new FreshReads<string, string | undefined>();
  readonly historyReads = new FreshReads<string, HistoryCheck>();
  readonly lotSearches = new FreshReads<string, { id: string; data: Record<string, unknown> }[]>();
}
