// Reference data kept per function instance for a short time: one read serves every caller within the time, callers
// arriving during a read share it, and the next read comes once the time is up.
import { describe, expect, it } from 'vitest';
import { recent, recentAsOf, recentBy, withRecent } from '../../../functions/lib/recent.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recent reads', () => {
  it('one read within the time, shared by callers who arrive while it is under way, and a new one after', async () => {
    let reads = 0;
    const fleet = recent(40, async () => {
      reads++;
      await sleep(5);
      return [`read ${reads}`];
    });
    const [a, b] = await Promise.all([fleet(), fleet()]);
    expect(reads).toBe(1);
    expect(a).toEqual(['read 1']);
    expect(b).toBe(a);
    expect(await fleet()).toBe(a);
    await sleep(80);
    expect(await fleet()).toEqual(['read 2']);
    expect(reads).toBe(2);
  });

  it('by key: each key is read on its own; a failed read is not kept', async () => {
    const reads: string[] = [];
    let fail = true;
    const ratings = recentBy(1000, async (ids: string) => {
      reads.push(ids);
      if (ids === 'bad' && fail) throw new Error('DynamoDB said no');
      return new Map([[ids, reads.length]]);
    });
    expect(await ratings('p1')).toEqual(new Map([['p1', 1]]));
    expect(await ratings('p1\np2')).toEqual(new Map([['p1\np2', 2]]));
    expect(await ratings('p1')).toEqual(new Map([['p1', 1]]));
    await expect(ratings('bad')).rejects.toThrow('DynamoDB said no');
    fail = false;
    expect(await ratings('bad')).toEqual(new Map([['bad', 4]]));
    expect(reads).toEqual(['p1', 'p1\np2', 'bad', 'bad']);
  });

  it('a store with a recent list: list() is kept, every other method is called through on the store itself', async () => {
    class Store {
      lists = 0;
      gets = 0;
      readonly #items = ['p1', 'p2'];
      async list() {
        this.lists++;
        return [...this.#items];
      }
      async get(id: string) {
        this.gets++;
        return this.#items.find((i) => i === id);
      }
    }
    const store = new Store();
    const kept = withRecent(store, 1000, { list: true });
    expect(await kept.list()).toEqual(['p1', 'p2']);
    expect(await kept.list()).toEqual(['p1', 'p2']);
    expect(store.lists).toBe(1);
    expect(await kept.get('p2')).toBe('p2');
    expect(await kept.get('p2')).toBe('p2');
    expect(store.gets).toBe(2);
  });
});

describe('recent reads by id', () => {
  it('get(id) is kept per id, an answer of nothing too, and list() is left alone unless asked for', async () => {
    const calls: string[] = [];
    const store = {
      get: async (id: string) => (calls.push(`get ${id}`), id === 'd1' ? { designId: 'd1' } : undefined),
      list: async () => (calls.push('list'), []),
    };
    const kept = withRecent(store, 1000, { get: true });
    expect(await kept.get('d1')).toEqual({ designId: 'd1' });
    expect(await kept.get('d1')).toEqual({ designId: 'd1' });
    expect(await kept.get('nope')).toBeUndefined();
    expect(await kept.get('nope')).toBeUndefined();
    await kept.list();
    await kept.list();
    expect(calls).toEqual(['get d1', 'get nope', 'list', 'list']);
  });
  it('as of a moment: the kept read serves only callers whose moment it began at or after; a failed read is not kept', async () => {
    let t = 1000;
    let carriers: string[] = [];
    let reads = 0;
    let fail = false;
    const list = recentAsOf(
      2000,
      async () => {
        reads++;
        if (fail) throw new Error('DynamoDB said no');
        return [...carriers];
      },
      () => t,
    );
    // An order placed at 900, shipped at 1000: read, and kept.
    expect(await list(900)).toEqual([]);
    t = 1100;
    expect(await list(950)).toEqual([]);
    expect(reads).toBe(1);
    // A carrier registered at 1200, an order placed at 1300: the read kept from 1000 began before it, so it is read again.
    carriers = ['partner-rapid'];
    t = 1400;
    expect(await list(1300)).toEqual(['partner-rapid']);
    expect(reads).toBe(2);
    // An earlier order shares the newer read.
    expect(await list(900)).toEqual(['partner-rapid']);
    expect(reads).toBe(2);
    // Past the time, read again even for an old order.
    t = 3500;
    fail = true;
    await expect(list(900)).rejects.toThrow('DynamoDB said no');
    fail = false;
    expect(await list(900)).toEqual(['partner-rapid']);
    expect(reads).toBe(4);
  });
});
