// The ledger: committed state (compact in-memory indexes over the block log), the mempool, and the block cutter.
// Posted txs are checked against committed state only (as BigchainDB's CheckTx is); when a block is cut they are
// re-checked in order against committed state plus the earlier txs of the same block, and the losers of a conflict are
// dropped, as Tendermint's DeliverTx drops them.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockLog, type TornTail, type TxLocation } from './block-log.js';
import { detailsKeys } from './conditions.js';
import { IdTable } from './id-table.js';
import { TextIndex } from './search.js';
import { validateAgainstState, type KnownTx, type ParsedTx, type StateView, type TxBody } from './validate.js';

/** The same tx is already waiting for a block (Tendermint's mempool cache); BigchainDB answers 400. */
export class TxAlreadyPendingError extends Error {
  override name = 'TxAlreadyPendingError';
  constructor(readonly txId: string) {
    super('Internal error - Tx already exists in cache');
  }
}

/** The tx lost a conflict with an earlier tx of its block (DeliverTx failed); BigchainDB answers 500. */
export class TxDroppedError extends Error {
  override name = 'TxDroppedError';
  constructor(
    readonly txId: string,
    readonly reason: string,
  ) {
    super('Transaction validation failed');
  }
}

export class LedgerStorageError extends Error {
  override name = 'LedgerStorageError';
}

export interface LedgerOptions {
  dataDir: string;
  /**
   * The longest a tx posted to an idle node waits for its block (default 50 ms). Under load blocks are cut back to back,
   * each as soon as the previous one is durable (group commit), so one fsync covers every tx that arrived meanwhile.
   * No block is cut while nothing is pending, so heights stay consecutive without empty blocks.
   */
  blockIntervalMs?: number;
  log?: (line: string) => void;
}

interface PendingTx {
  tx: ParsedTx;
  resolve(): void;
  reject(err: Error): void;
}

export interface LedgerStats {
  height: number;
  transactions: number;
  assets: number;
  pending: number;
  logBytes: number;
  committed: number;
  dropped: number;
  searchTerms: { assets: number; metadata: number };
}


class Column<T extends Float64Array | Uint32Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  set(i: number, v: number) {
    if (i >= this.data.length) {
      // 1.5x growth: less slack than doubling at a million rows
      const next = this.make(Math.max(1024, Math.ceil(this.data.length * 1.5), i + 1));
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
  get(i: number): number {
    return this.data[i]!;
  }
  /** Drops the growth slack beyond `n` rows (after a replay the size is known; growth resumes on the next set). */
  trim(n: number) {
    if (this.data.length > n) this.data = this.data.slice(0, Math.max(n, 1)) as T;
  }
}

const KNOWN_CACHE_MAX = 50_000;
const GATHER_MS = 2;

export class Ledger implements StateView {
  // Committed state. A tx is known by its position in commit order ("pos").
  private readonly ids = new IdTable();
  private readonly offsets = new Column(new Float64Array(1024), (n) => new Float64Array(n));
  private readonly lengths = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  private readonly heights = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  /** Position of the CREATE that made the tx's asset (itself for a CREATE). */
  private readonly assetPos = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  private readonly transfersByAsset = new Map<number, number | number[]>();
  // Outputs are numbered ("slots") in commit order: tx pos's outputs are slots outStart[pos] .. outStart[pos+1]-1.
  private readonly outStart = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  private readonly outPos = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  /** Slot → position + 1 of the committed tx that spent it (0 = unspent). */
  private readonly spentBy = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  private outputCount = 0;
  private readonly outputsByOwner = new Map<string, number | number[]>();
  /** First tx position of each block, by height; block h holds positions blockStart[h] .. blockStart[h+1]-1. */
  private readonly blockStart: number[] = [0, 0];
  private readonly known = new Map<string, KnownTx>();
  readonly assetIndex = new TextIndex();
  readonly metadataIndex = new TextIndex();
  private assetCount = 0;

  // Mempool and block cutting.
  private pending: PendingTx[] = [];
  private readonly pendingIds = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastBlockAt = -Infinity;
  private writing: Promise<void> | undefined;
  private closed = false;
  private storageError: Error | undefined;
  private committedCount = 0;
  private droppedCount = 0;

  private log!: BlockLog;

  private constructor(
    private readonly intervalMs: number,
    readonly validatorKey: string,
    private readonly logLine: (line: string) => void,
  ) {}

  static async open(opts: LedgerOptions): Promise<{ ledger: Ledger; tornTail?: TornTail }> {
    await mkdir(opts.dataDir, { recursive: true });
    const logLine = opts.log ?? (() => undefined);
    const validatorKey = await loadValidatorKey(opts.dataDir);
    const ledger = new Ledger(opts.blockIntervalMs ?? 50, validatorKey, logLine);
    const { log, tornTail } = await BlockLog.open(join(opts.dataDir, 'blocks.log'), (height, txs) => ledger.replayBlock(height, txs));
    ledger.log = log;
    ledger.trimAfterReplay();
    // The replay's garbage (a parsed JSON per transaction) is gone now; collect it before serving, where allowed.
    (globalThis as { gc?: () => void }).gc?.();
    if (tornTail) {
      logLine(
        `ledger: ${log.path}: cut a torn tail of ${tornTail.bytes} bytes at byte ${tornTail.offset} (${tornTail.reason}); ` +
          `${tornTail.droppedTxs} tx record(s) of an unfinished block were discarded (never acknowledged as committed)`,
      );
    }
    return { ledger, tornTail };
  }

  /** A replayed ledger is mostly read from here on: give back the slack the replay's growth left behind. */
  private trimAfterReplay() {
    const n = this.ids.size;
    for (const c of [this.offsets, this.lengths, this.heights, this.assetPos, this.outStart]) c.trim(n + 1);
    for (const c of [this.outPos, this.spentBy]) c.trim(this.outputCount);
    this.ids.trim();
    this.assetIndex.trim();
    this.metadataIndex.trim();
  }

  private replayBlock(height: number, txs: { json: string; offset: number; length: number }[]) {
    for (const t of txs) this.apply(JSON.parse(t.json) as TxBody, t, height);
    this.blockStart[height + 1] = this.ids.size;
  }

  get height(): number {
    return this.blockStart.length - 2;
  }

  // ---- StateView over committed state -------------------------------------------------------------------------

  getTx(id: string): KnownTx | undefined {
    const cached = this.known.get(id);
    if (cached) return cached;
    const pos = this.ids.get(id);
    if (pos === undefined) return undefined;
    const k = toKnown(this.readBody(pos), this.ids.idAt(this.assetPos.get(pos)));
    this.remember(id, k);
    return k;
  }

  isSpent(txId: string, index: number): boolean {
    const slot = this.outputSlot(txId, index);
    return slot !== undefined && this.spentBy.get(slot) !== 0;
  }

  private outputSlot(txId: string, index: number): number | undefined {
    const pos = this.ids.get(txId);
    if (pos === undefined) return undefined;
    const start = this.outStart.get(pos);
    const end = pos + 1 < this.ids.size ? this.outStart.get(pos + 1) : this.outputCount;
    return index >= 0 && start + index < end ? start + index : undefined;
  }

  private remember(id: string, k: KnownTx) {
    if (this.known.size >= KNOWN_CACHE_MAX) this.known.delete(this.known.keys().next().value!);
    this.known.set(id, k);
  }

  // ---- Writes ------------------------------------------------------------------------------------------------

  /** Checks a parsed tx against committed state (throws TxRejectedError). */
  check(tx: ParsedTx): void {
    validateAgainstState(tx, this);
  }

  /**
   * Puts a checked tx in the mempool. Resolves once its block is durable; rejects with TxDroppedError if it loses a
   * same-block conflict, or LedgerStorageError if the block could not be written. Throws TxAlreadyPendingError.
   */
  admit(tx: ParsedTx): Promise<void> {
    if (this.closed) return Promise.reject(new LedgerStorageError('ledger is shutting down'));
    if (this.storageError) return Promise.reject(new LedgerStorageError(`ledger storage failed: ${this.storageError.message}`));
    if (this.pendingIds.has(tx.id)) throw new TxAlreadyPendingError(tx.id);
    this.pendingIds.add(tx.id);
    const done = new Promise<void>((resolve, reject) => this.pending.push({ tx, resolve, reject }));
    // Async and sync clients never wait for the block; the rejection must not become an unhandled one.
    done.catch(() => undefined);
    this.schedule();
    return done;
  }

  private schedule(afterBlock = false) {
    if (this.timer || this.writing || this.pending.length === 0 || this.closed) return;
    // Right after a block the node is busy: the clients it just answered are posting again, so gather for a moment
    // instead of a whole interval. An idle node waits the full interval, as a Tendermint chain would.
    const busy = performance.now() - this.lastBlockAt < this.intervalMs;
    const delay = afterBlock ? 0 : busy ? Math.min(GATHER_MS, this.intervalMs) : this.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.cutBlock()
        .catch((err: unknown) => {
          this.storageError = err as Error;
          this.logLine(`ledger: cutting a block failed: ${(err as Error).stack ?? String(err)}`);
        })
        .finally(() => {
          this.writing = undefined;
          this.lastBlockAt = performance.now();
          this.schedule(true);
        });
    }, delay);
  }

  private async cutBlock(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const inBlock = new Map<string, KnownTx>();
    const spentInBlock = new Set<string>();
    const view: StateView = {
      getTx: (id) => inBlock.get(id) ?? this.getTx(id),
      isSpent: (txId, index) => spentInBlock.has(`${txId}:${index}`) || this.isSpent(txId, index),
    };
    const accepted: PendingTx[] = [];
    for (const p of batch) {
      try {
        validateAgainstState(p.tx, view, false);
      } catch (err) {
        this.pendingIds.delete(p.tx.id);
        this.droppedCount++;
        p.reject(new TxDroppedError(p.tx.id, (err as Error).message));
        continue;
      }
      accepted.push(p);
      inBlock.set(p.tx.id, toKnown(p.tx.normalized, p.tx.assetId));
      for (const i of p.tx.inputs) if (i.fulfills) spentInBlock.add(`${i.fulfills.txId}:${i.fulfills.index}`);
    }
    if (accepted.length === 0) return;
    const height = this.height + 1;
    const jsons = accepted.map((p) => JSON.stringify(p.tx.normalized));
    let locations: TxLocation[];
    try {
      locations = await this.log.appendBlock(height, jsons);
    } catch (err) {
      this.storageError = err as Error;
      this.logLine(`ledger: writing block ${height} failed: ${(err as Error).message}; refusing further writes`);
      for (const p of accepted) {
        this.pendingIds.delete(p.tx.id);
        p.reject(new LedgerStorageError(`ledger storage failed: ${(err as Error).message}`));
      }
      return;
    }
    accepted.forEach((p, i) => {
      this.apply(p.tx.normalized, locations[i]!, height);
      this.remember(p.tx.id, inBlock.get(p.tx.id)!);
    });
    this.blockStart[height + 1] = this.ids.size;
    this.committedCount += accepted.length;
    for (const p of accepted) {
      this.pendingIds.delete(p.tx.id);
      p.resolve();
    }
  }

  /** Adds a committed tx to every index. */
  private apply(tx: TxBody, loc: TxLocation, height: number) {
    const pos = this.ids.add(tx.id);
    this.outStart.set(pos, this.outputCount);
    this.offsets.set(pos, loc.offset);
    this.lengths.set(pos, loc.length);
    this.heights.set(pos, height);
    if (tx.operation === 'CREATE') {
      this.assetPos.set(pos, pos);
      this.assetIndex.add(pos, tx.asset.data ?? null);
      this.assetCount++;
    } else {
      const assetPos = this.ids.get(tx.asset.id!)!;
      this.assetPos.set(pos, assetPos);
      pushTo(this.transfersByAsset, assetPos, pos);
      for (const input of tx.inputs) {
        this.spentBy.set(this.outputSlot(input.fulfills!.transaction_id, input.fulfills!.output_index)!, pos + 1);
      }
    }
    if (tx.metadata) this.metadataIndex.add(pos, tx.metadata);
    // Like BigchainDB: candidates are txs listing the key in some output's public_keys, then each output is kept when
    // the key appears in its condition details (so every member of a threshold sees the output).
    const listed = new Set<string>();
    for (const o of tx.outputs) for (const k of o.public_keys ?? []) listed.add(k);
    for (const o of tx.outputs) {
      const slot = this.outputCount++;
      this.outPos.set(slot, pos);
      this.spentBy.set(slot, 0);
      for (const owner of detailsKeys(o.condition.details)) if (listed.has(owner)) pushTo(this.outputsByOwner, owner, slot);
    }
  }

  // ---- Reads -------------------------------------------------------------------------------------------------

  private readBody(pos: number): TxBody {
    return JSON.parse(this.readJson(pos)) as TxBody;
  }

  private readJson(pos: number): string {
    return this.log.readTx({ offset: this.offsets.get(pos), length: this.lengths.get(pos) });
  }

  /** The committed tx as stored (BigchainDB's to_dict form), or undefined. */
  getTransactionJson(id: string): string | undefined {
    const pos = this.ids.get(id);
    return pos === undefined ? undefined : this.readJson(pos);
  }

  isCommitted(id: string): boolean {
    return this.ids.get(id) !== undefined;
  }

  /** Txs of an asset in commit order: its CREATE, then its TRANSFERs. */
  listTransactions(assetId: string, operation: 'CREATE' | 'TRANSFER' | undefined, lastOnly: boolean): string[] {
    const createPos = this.ids.get(assetId);
    if (createPos === undefined || this.assetPos.get(createPos) !== createPos) return [];
    let positions: number[] = [];
    if (operation !== 'TRANSFER') positions.push(createPos);
    if (operation !== 'CREATE') positions.push(...asArray(this.transfersByAsset.get(createPos)));
    if (lastOnly) positions = positions.slice(-1);
    return positions.map((p) => this.readJson(p));
  }

  listOutputs(publicKey: string, spent: boolean | undefined): { transaction_id: string; output_index: number }[] {
    const out: { transaction_id: string; output_index: number }[] = [];
    for (const slot of asArray(this.outputsByOwner.get(publicKey))) {
      if (spent !== undefined && (this.spentBy.get(slot) !== 0) !== spent) continue;
      const pos = this.outPos.get(slot);
      out.push({ transaction_id: this.ids.idAt(pos), output_index: slot - this.outStart.get(pos) });
    }
    return out;
  }

  blockOf(txId: string): number | undefined {
    const pos = this.ids.get(txId);
    return pos === undefined ? undefined : this.heights.get(pos);
  }

  /** The JSON texts of a block's txs, or undefined past the latest height. */
  getBlock(height: number): string[] | undefined {
    if (height > this.height) return undefined;
    const out: string[] = [];
    for (let p = this.blockStart[height]!; p < this.blockStart[height + 1]!; p++) out.push(this.readJson(p));
    return out;
  }

  searchAssets(query: string, limit: number): { data: unknown; id: string }[] {
    const load = (pos: number) => ({ data: this.readBody(pos).asset.data ?? null, id: this.ids.idAt(pos) });
    const docs = this.assetIndex.search(query, limit, {
      docById: (id) => {
        const pos = this.ids.get(id);
        return pos !== undefined && this.assetPos.get(pos) === pos ? pos : undefined;
      },
      load,
    });
    return docs.map(load);
  }

  searchMetadata(query: string, limit: number): { id: string; metadata: unknown }[] {
    const load = (pos: number) => ({ id: this.ids.idAt(pos), metadata: this.readBody(pos).metadata ?? null });
    const docs = this.metadataIndex.search(query, limit, { docById: (id) => this.ids.get(id), load });
    return docs.map(load);
  }

  stats(): LedgerStats {
    return {
      height: this.height,
      transactions: this.ids.size,
      assets: this.assetCount,
      pending: this.pendingIds.size,
      logBytes: this.log.bytes,
      committed: this.committedCount,
      dropped: this.droppedCount,
      searchTerms: { assets: this.assetIndex.termCount, metadata: this.metadataIndex.termCount },
    };
  }

  health(): { ok: boolean; detail: string } {
    if (this.storageError) return { ok: false, detail: `storage failed: ${this.storageError.message}` };
    return { ok: true, detail: `height ${this.height}, ${this.ids.size} txs` };
  }

  /** Writes what is pending (so nothing admitted is lost on a clean stop), then closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.writing) await this.writing;
    while (this.pending.length && !this.storageError) await this.cutBlock();
    for (const p of this.pending) p.reject(new LedgerStorageError('ledger closed'));
    await this.log.close();
  }
}

function toKnown(tx: TxBody, assetId: string): KnownTx {
  return { assetId, outputs: tx.outputs.map((o) => ({ amount: BigInt(o.amount), uri: o.condition.uri })) };
}

function pushTo<K>(map: Map<K, number | number[]>, key: K, value: number) {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, value);
  else if (typeof cur === 'number') map.set(key, [cur, value]);
  else cur.push(value);
}

function asArray(v: number | number[] | undefined): number[] {
  return v === undefined ? [] : typeof v === 'number' ? [v] : v;
}

/** The single validator's key (GET /validators), made once per data directory. */
async function loadValidatorKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'validator.json');
  try {
    const { public_key } = JSON.parse(await readFile(file, 'utf8')) as { public_key: string };
    return public_key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const public_key = raw.toString('base64');
  await writeFile(file, JSON.stringify({ public_key }) + '\n');
  return public_key;
}
