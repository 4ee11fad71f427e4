// The ledger's only durable state: an append-only file of checksummed records. A block is written as its tx records
// followed by one block record, in a single write, then fdatasync'ed; only then is it acknowledged. On open the file is
// scanned: a torn tail (a partial record, or tx records without their block record, i.e. a block whose write never
// finished) is cut off and reported; a bad record followed by more data is corruption, and opening refuses.
//
// Layout: 8-byte magic, then records of [u32 LE body length][u32 LE crc32(body)][body]; body[0] is the record type.
//   tx record:    0x01, UTF-8 JSON of the transaction (as GET returns it)
//   block record: 0x02, u32 LE height, u32 LE number of tx records in the block
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('BDBLEDG1');
const HEADER = 8;
const TYPE_TX = 1;
const TYPE_BLOCK = 2;
const BLOCK_BODY = 9;
const SCAN_CHUNK = 4 * 1024 * 1024;

export class LedgerCorruptError extends Error {
  override name = 'LedgerCorruptError';
}

export interface RecoveredTx {
  json: string;
  offset: number;
  length: number;
}

export interface TornTail {
  offset: number;
  bytes: number;
  /** Tx records of the unfinished block that were dropped (never acknowledged as committed). */
  droppedTxs: number;
  reason: string;
}

export interface OpenResult {
  log: BlockLog;
  /** Set when a torn tail was found and cut off. */
  tornTail?: TornTail;
  blocks: number;
}

/** Where a stored tx's JSON lives in the file. */
export interface TxLocation {
  offset: number;
  length: number;
}

function allZero(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0) return false;
  return true;
}

export class BlockLog {
  private constructor(
    private readonly fd: number,
    private readonly handle: FileHandle,
    private size: number,
    readonly path: string,
  ) {}

  /**
   * Opens (creating if needed) and scans the log, calling `onBlock` for every complete block in order.
   * Heights must run 1, 2, 3, … (block 0 is the implicit empty genesis block).
   */
  static async open(path: string, onBlock: (height: number, txs: RecoveredTx[]) => void): Promise<OpenResult> {
    const handle = await open(path, 'a+');
    await handle.close();
    const fd = openSync(path, 'r+');
    try {
      let size = fstatSync(fd).size;
      if (size < HEADER) {
        // A brand-new file, or one whose header write was torn: nothing in it was ever acknowledged.
        ftruncateSync(fd, 0);
        writeSync(fd, MAGIC, 0, HEADER, 0);
        fdatasyncSync(fd);
        size = HEADER;
      } else {
        const magic = Buffer.alloc(HEADER);
        readSync(fd, magic, 0, HEADER, 0);
        if (!magic.equals(MAGIC)) throw new LedgerCorruptError(`${path} is not a ledger block log (bad magic); refusing to open it`);
      }
      const { goodEnd, blocks, tornTail } = BlockLog.scan(fd, size, path, onBlock);
      if (tornTail) {
        ftruncateSync(fd, goodEnd);
        fdatasyncSync(fd);
      }
      const writer = await open(path, 'r+');
      return { log: new BlockLog(fd, writer, goodEnd, path), tornTail, blocks };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  private static scan(fd: number, size: number, path: string, onBlock: (height: number, txs: RecoveredTx[]) => void) {
    // One reused read buffer (grown only for a record bigger than it), so a long replay does not churn memory.
    let buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, size));
    let bufStart = 0;
    let bufLen = 0;
    const view = (offset: number, n: number): Buffer => {
      if (offset < bufStart || offset + n > bufStart + bufLen) {
        if (n > buf.length) buf = Buffer.allocUnsafe(n);
        bufLen = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        bufStart = offset;
      }
      return buf.subarray(offset - bufStart, offset - bufStart + n);
    };

    let pos = HEADER;
    let goodEnd = HEADER;
    let height = 0;
    let pending: RecoveredTx[] = [];
    const torn = (reason: string): TornTail => ({ offset: goodEnd, bytes: size - goodEnd, droppedTxs: pending.length, reason });
    const corrupt = (what: string) =>
      new LedgerCorruptError(
        `${path}: ${what} at byte ${pos} of ${size}, with more data after it; refusing to start. ` +
          `Blocks 1..${height} (the first ${goodEnd} bytes) are intact: to keep them and discard the rest, truncate the file to ${goodEnd} bytes.`,
      );

    while (pos < size) {
      const remaining = size - pos;
      if (remaining < 8) return { goodEnd, blocks: height, tornTail: torn('partial record header at end of file') };
      const head = view(pos, 8);
      const len = head.readUInt32LE(0);
      const sum = head.readUInt32LE(4);
      if (len === 0) {
        if (allZero(view(pos, remaining))) return { goodEnd, blocks: height, tornTail: torn('zero-filled tail') };
        throw corrupt('a zero-length record');
      }
      if (len > remaining - 8) return { goodEnd, blocks: height, tornTail: torn('record extends past end of file') };
      const body = view(pos + 8, len);
      if (crc32(body) !== sum) {
        if (pos + 8 + len === size) return { goodEnd, blocks: height, tornTail: torn('checksum mismatch in the last record') };
        throw corrupt('a record checksum mismatch');
      }
      const type = body[0];
      if (type === TYPE_TX) {
        pending.push({ json: body.toString('utf8', 1), offset: pos + 9, length: len - 1 });
      } else if (type === TYPE_BLOCK && len === BLOCK_BODY) {
        const h = body.readUInt32LE(1);
        const count = body.readUInt32LE(5);
        if (h !== height + 1 || count !== pending.length) throw corrupt(`an out-of-sequence block record (height ${h}, ${count} txs)`);
        height = h;
        onBlock(h, pending);
        pending = [];
        goodEnd = pos + 8 + len;
      } else {
        throw corrupt(`an unknown record type ${type}`);
      }
      pos += 8 + len;
    }
    if (pending.length) return { goodEnd, blocks: height, tornTail: torn('tx records without their block record, an unfinished block') };
    return { goodEnd, blocks: height, tornTail: undefined };
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends a block and makes it durable; resolves with where each tx's JSON was written. */
  async appendBlock(height: number, txJsons: readonly string[]): Promise<TxLocation[]> {
    const parts: Buffer[] = [];
    const locations: TxLocation[] = [];
    let at = this.size;
    for (const json of txJsons) {
      const body = Buffer.from(`\u0001${json}`, 'utf8');
      const head = Buffer.alloc(8);
      head.writeUInt32LE(body.length, 0);
      head.writeUInt32LE(crc32(body), 4);
      parts.push(head, body);
      locations.push({ offset: at + 9, length: body.length - 1 });
      at += 8 + body.length;
    }
    const block = Buffer.alloc(8 + BLOCK_BODY);
    block.writeUInt32LE(BLOCK_BODY, 0);
    block[8] = TYPE_BLOCK;
    block.writeUInt32LE(height, 9);
    block.writeUInt32LE(txJsons.length, 13);
    block.writeUInt32LE(crc32(block.subarray(8)), 4);
    parts.push(block);
    const all = Buffer.concat(parts);
    try {
      let written = 0;
      while (written < all.length) {
        const { bytesWritten } = await this.handle.write(all, written, all.length - written, this.size + written);
        written += bytesWritten;
      }
      await this.handle.datasync();
    } catch (err) {
      // Leave no half-written block behind: the next append starts at the same place, and a restart must not see it.
      await this.handle.truncate(this.size).catch(() => undefined);
      throw err;
    }
    this.size += all.length;
    return locations;
  }

  /** Reads one tx's JSON (page-cache hot in practice; synchronous keeps the state checks simple). */
  readTx(loc: TxLocation): string {
    const buf = Buffer.allocUnsafe(loc.length);
    let got = 0;
    while (got < loc.length) {
      const n = readSync(this.fd, buf, got, loc.length - got, loc.offset + got);
      if (n === 0) throw new LedgerCorruptError(`${this.path}: unexpected end of file reading a tx at byte ${loc.offset}`);
      got += n;
    }
    return buf.toString('utf8');
  }

  async close(): Promise<void> {
    await this.handle.close();
    closeSync(this.fd);
  }
}
