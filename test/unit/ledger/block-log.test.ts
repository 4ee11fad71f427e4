// The block log's record format, replay, torn-tail repair and corruption detection (on a temp file).
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockLog, type RecoveredTx } from '../../../local/ledger/block-log.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dpm-blocklog-'));
  file = join(dir, 'blocks.log');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function replay(): Promise<{ blocks: [number, string[]][]; torn?: string; log: BlockLog }> {
  const blocks: [number, string[]][] = [];
  const { log, tornTail } = await BlockLog.open(file, (h, txs: RecoveredTx[]) => blocks.push([h, txs.map((t) => t.json)]));
  return { blocks, torn: tornTail?.reason, log };
}

describe('BlockLog', () => {
  it('appends blocks durably and replays them in order; reads a tx back by location', async () => {
    const { log } = await replay();
    const [a, b] = await log.appendBlock(1, ['{"id":"a"}', '{"id":"b","ü":"é"}']);
    await log.appendBlock(2, ['{"id":"c"}']);
    expect(log.readTx(b!)).toBe('{"id":"b","ü":"é"}');
    expect(log.readTx(a!)).toBe('{"id":"a"}');
    await log.close();
    const again = await replay();
    expect(again.blocks).toEqual([
      [1, ['{"id":"a"}', '{"id":"b","ü":"é"}']],
      [2, ['{"id":"c"}']],
    ]);
    expect(again.torn).toBeUndefined();
    await again.log.close();
  });

  it('cuts a partial final record and a block without its block record', async () => {
    const { log } = await replay();
    await log.appendBlock(1, ['{"id":"a"}']);
    await log.close();
    const good = (await stat(file)).size;

    await appendFile(file, Buffer.from([50, 0, 0, 0, 1, 2, 3, 4, 1, 123]));
    let r = await replay();
    expect(r.torn).toBe('record extends past end of file');
    expect(r.blocks).toHaveLength(1);
    expect((await stat(file)).size).toBe(good);
    // writing continues where the good data ends
    await r.log.appendBlock(2, ['{"id":"b"}']);
    await r.log.close();
    r = await replay();
    expect(r.blocks.map(([h]) => h)).toEqual([1, 2]);
    await r.log.close();

    // a whole block minus its last bytes (the block record) is an unfinished block
    const bytes = await readFile(file);
    const { log: l2 } = await replay();
    await l2.appendBlock(3, ['{"id":"c"}']);
    await l2.close();
    const withBlock3 = await readFile(file);
    await writeFile(file, withBlock3.subarray(0, withBlock3.length - 17));
    r = await replay();
    expect(r.torn).toBe('tx records without their block record, an unfinished block');
    expect(r.blocks.map(([h]) => h)).toEqual([1, 2]);
    expect((await stat(file)).size).toBe(bytes.length);
    await r.log.close();
  });

  it('treats a zero-filled tail as torn and a bad checksum mid-file as corruption', async () => {
    const { log } = await replay();
    await log.appendBlock(1, ['{"id":"a"}']);
    await log.appendBlock(2, ['{"id":"b"}']);
    await log.close();
    await appendFile(file, Buffer.alloc(4096));
    const r = await replay();
    expect(r.torn).toBe('zero-filled tail');
    await r.log.close();

    const bytes = await readFile(file);
    bytes[20] = bytes[20]! ^ 1;
    await writeFile(file, bytes);
    await expect(replay()).rejects.toThrow(/record checksum mismatch at byte 8 of \d+, with more data after it; refusing to start/);

    await writeFile(file, 'not a ledger at all');
    await expect(replay()).rejects.toThrow(/not a ledger block log \(bad magic\)/);
    expect(await readFile(file, 'utf8')).toBe('not a ledger at all');
  });
});
