// Tx id → position in commit order, without a JS string per tx: ids live as 32 raw bytes each in one buffer, and an
// open-addressing table of positions indexes them. About 40 bytes per tx, against ~110 for a Map of hex strings.
const HEX_ID = /^[0-9a-f]{64}$/;

export class IdTable {
  private bytes = Buffer.alloc(32 * 4096);
  /** position + 1 of the tx whose id hashes here; 0 = empty. Kept at most half full. */
  private slots = new Int32Array(1 << 13);
  private n = 0;

  get size(): number {
    return this.n;
  }

  private find(key: Buffer): { slot: number; pos: number | undefined } {
    const mask = this.slots.length - 1;
    let i = key.readUInt32LE(0) & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) return { slot: i, pos: undefined };
      if (this.bytes.compare(key, 0, 32, (v - 1) * 32, v * 32) === 0) return { slot: i, pos: v - 1 };
      i = (i + 1) & mask;
    }
  }

  get(id: string): number | undefined {
    if (!HEX_ID.test(id)) return undefined;
    return this.find(Buffer.from(id, 'hex')).pos;
  }

  /** Appends an id (callers never add one twice) and returns its position. */
  add(id: string): number {
    const key = Buffer.from(id, 'hex');
    if (key.length !== 32) throw new Error(`not a 64-hex tx id: ${id}`);
    const pos = this.n++;
    if ((pos + 1) * 32 > this.bytes.length) {
      const next = Buffer.alloc(Math.ceil(this.bytes.length / 32 * 1.5) * 32);
      this.bytes.copy(next);
      this.bytes = next;
    }
    key.copy(this.bytes, pos * 32);
    if (this.n * 2 > this.slots.length) this.rehash();
    this.slots[this.find(key).slot] = pos + 1;
    return pos;
  }

  idAt(pos: number): string {
    return this.bytes.toString('hex', pos * 32, pos * 32 + 32);
  }

  /** Drops the id buffer's growth slack. */
  trim() {
    if (this.bytes.length > this.n * 32) this.bytes = Buffer.from(this.bytes.subarray(0, Math.max(this.n, 1) * 32));
  }

  private rehash() {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    // every id but the one being added (its bytes are in place, its slot is set by the caller)
    for (let pos = 0; pos < this.n - 1; pos++) {
      let i = this.bytes.readUInt32LE(pos * 32) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = pos + 1;
    }
  }
}
