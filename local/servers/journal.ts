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

/** Replaces the journal with `entries` (written to a temporary file, synced, renamed) and opens it for appending. */
export async function rewriteJournal<T>(path: string, entries: T[]): Promise<JournalWriter<T>> {
  const tmp = await open(`${path}.tmp`, 'w');
  await tmp.writeFile(entries.map((e) => JSON.stringify(e) + '\n').join(''));
  await tmp.sync();
  await tmp.close();
  await rename(`${path}.tmp`, path);
  const file = await open(path, 'a');
  let writing = Promise.resolve();
  return {
    append(entry, durable) {
      writing = writing.then(async () => {
        await file.appendFile(JSON.stringify(entry) + '\n');
        if (durable) await file.datasync();
      });
      return writing;
    },
    sync() {
      writing = writing.then(() => file.datasync());
      return writing;
    },
    async close() {
      await writing;
      await file.close();
    },
  };
}
