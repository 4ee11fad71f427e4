// The local queues' and event bus's journal: appends made while a write is under way go out together, with one sync
// for the lot, in their order; a durable append resolves only once it is synced; a failed write stops the journal.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readJournal, rewriteJournal } from '../../../local/servers/journal.js';

describe('journal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-journal-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  /** Counts what the journal asks of the file: writes and syncs (FileHandle's prototype, shared by every handle). */
  async function spyOnFiles() {
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { appendFile: (...a: unknown[]) => Promise<void>; datasync: () => Promise<void> };
    await probe.close();
    return { writes: vi.spyOn(proto, 'appendFile'), syncs: vi.spyOn(proto, 'datasync') };
  }

  it('keeps the entries it starts with and every append, in order, and reads them back', async () => {
    const path = join(dir, 'j.jsonl');
    const journal = await rewriteJournal<{ n: number }>(path, [{ n: 0 }]);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append({ n: i + 1 }, i % 7 === 0)));
    await journal.close();
    expect((await readJournal<{ n: number }>(path)).map((e) => e.n)).toEqual(Array.from({ length: 51 }, (_, i) => i));
  });

  it('writes the appends made meanwhile together, with one sync for all of them', async () => {
    const path = join(dir, 'j.jsonl');
    const journal = await rewriteJournal<{ n: number }>(path, []);
    const { writes, syncs } = await spyOnFiles();
    const done = Array.from({ length: 20 }, (_, i) => journal.append({ n: i }, true));
    await Promise.all(done);
    // The first append goes out alone; the 19 made while it was written follow in one write and one sync.
    expect(writes).toHaveBeenCalledTimes(2);
    expect(syncs).toHaveBeenCalledTimes(2);
    await journal.close();
  });

  it('resolves a durable append only once its line is on file and synced', async () => {
    const path = join(dir, 'j.jsonl');
    const journal = await rewriteJournal<{ n: number }>(path, []);
    const { syncs } = await spyOnFiles();
    await journal.append({ n: 1 }, false);
    expect(syncs).not.toHaveBeenCalled();
    await journal.append({ n: 2 }, true);
    expect(syncs).toHaveBeenCalledTimes(1);
    expect(await readFile(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    await journal.sync();
    expect(syncs).toHaveBeenCalledTimes(2);
    await journal.close();
  });

  it('refuses every append after a failed write, since a torn line would end the journal there', async () => {
    const path = join(dir, 'j.jsonl');
    const journal = await rewriteJournal<{ n: number }>(path, []);
    const { writes } = await spyOnFiles();
    writes.mockRejectedValueOnce(new Error('disk full'));
    await expect(journal.append({ n: 1 }, false)).rejects.toThrow('disk full');
    await expect(journal.append({ n: 2 }, true)).rejects.toThrow('disk full');
    expect(writes).toHaveBeenCalledTimes(1);
    await journal.close();
    expect(await readJournal(path)).toEqual([]);
  });
});
