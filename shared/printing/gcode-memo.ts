// G-code a function instance has already made. A popular design is ordered again and again in the same material and
// settings for printers of the same profile, and the slicer is deterministic: the G-code is the same bytes each time,
// while making it costs the step a read of the sealed STL, a KMS Decrypt, parsing and slicing. The key names the STL
// by its fingerprint (a new upload is a new key), the profile and the settings. An entry is what a dispatch holds in
// memory anyway while it slices; the memo is bounded in bytes and lives only as long as the instance.
import { LRUCache } from 'lru-cache';

export class GcodeMemo {
  private readonly entries: LRUCache<string, Uint8Array>;

  constructor(maxBytes = 64 * 1024 * 1024) {
    // An entry larger than the whole memo is simply not kept.
    this.entries = new LRUCache({ maxSize: maxBytes, sizeCalculation: (v) => Math.max(1, v.byteLength) });
  }

  /** The G-code under `key`, made by `make` when this instance has none. Callers must not change the bytes. */
  async get(key: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const kept = this.entries.get(key);
    if (kept) return kept;
    const made = await make();
    this.entries.set(key, made);
    return made;
  }

  get size() {
    return this.entries.size;
  }
}
