// The append-only JSON-lines journals of the local queues and event bus. On start a journal is read up to its first
// unreadable line (a write torn by a crash; everything before it was synced), the caller rebuilds its state, and the
// journal is rewritten with only what still matters, so it never grows without bound.
import { open, readFile, rename } from 'node:fs/promises';

export async function readJournal<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const entries: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as T);
    } catch {
      break;
    }
  }
  return entries;
}

export interface JournalWriter<T> {
  /** Appends in order; `durable` waits for the disk (fdatasync) before resolving. */
  append(entry: T, durable: boolean): Promise<void>;
  /** Waits for every append so far, then syncs. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Replaces the journal with `entries` (written to a temporary file, synced, renamed) and opens it for appending.
 * Appends made while a write is under way go out together in the next write, with one sync for all of them if any
 * asked for one (group commit): under load that is one write and one fdatasync for many appends, in their order.
 */
export async function rewriteJournal<T>(path: string, entries: T[]): Promise<JournalWriter<T>> {
  const tmp = await open(`${path}.tmp`, 'w');
  await tmp.writeFile(entries.map((e) => JSON.stringify(e) + '\n').join(''));
  await tmp.sync();
  await tmp.close();
  await rename(`${path}.tmp`, path);
  const file = await open(path, 'a');
  type Waiter = { resolve: () => void; reject: (err: unknown) => void };
  let lines: string[] = [];
  let waiters: Waiter[] = [];
  let durable = false;
  let flushing: Promise<void> | undefined;
  // After a failed write the file may end in a torn line, which ends the journal on the next start: nothing after it
  // would be read back, so nothing more is accepted.
  let failed: unknown;
  const flush = async () => {
    while (lines.length || durable) {
      const batch = { text: lines.join(''), waiters, durable };
      lines = [];
      waiters = [];
      durable = false;
      try {
        if (failed !== undefined) throw failed;
        if (batch.text) await file.appendFile(batch.text);
        if (batch.durable) await file.datasync();
        for (const w of batch.waiters) w.resolve();
      } catch (err) {
        failed ??= err;
        for (const w of batch.waiters) w.reject(err);
      }
    }
    flushing = undefined;
  };
  const enqueue = (line: string, sync: boolean) =>
    new Promise<void>((resolve, reject) => {
      if (line) lines.push(line);
      waiters.push({ resolve, reject });
      durable ||= sync;
      flushing ??= flush();
    });
  return {
    append: (entry, sync) => enqueue(JSON.stringify(entry) + '\n', sync),
    sync: () => enqueue('', true),
    async close() {
      await flushing;
      await file.close();
    },
  };
}
