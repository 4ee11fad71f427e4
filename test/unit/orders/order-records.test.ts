// Advancing an order from a copy the caller already read: the copy saves a read when it is current, and can never
// make a change land on (or be skipped because of) a stale order. A lost race answers with the winner: no re-read.
import { describe, expect, it } from 'vitest';
import { update } from '../../../shared/orders/order-records.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import { anOrder } from '../../support/fakes/orders.js';

const base = anOrder({ status: 'licensed' });
const now = () => new Date('2026-12-02T11:00:00Z');

class CountingStore extends InMemoryOrderStore {
  reads = 0;
  override async get(orderId: string) {
    this.reads++;
    return super.get(orderId);
  }
}

describe('update with a copy already read', () => {
  it('saves without reading again when the copy is current', async () => {
    const store = new CountingStore();
    await store.create(base);
    const saved = await update(store, base.orderId, now, (o) => ({ ...o, status: 'paid' }), structuredClone(base));
    expect(store.reads).toBe(0);
    expect(saved).toMatchObject({ status: 'paid', revision: 2 });
    expect((await store.get(base.orderId))?.status).toBe('paid');
  });

  it('re-applies the change to the order a lost race answers with, without reading it, keeping what changed meanwhile', async () => {
    const store = new CountingStore();
    await store.create(base);
    const stale = structuredClone(base);
    await store.save({ ...base, chargeId: 'ch_1', revision: 2 }, 1);
    const saved = await update(store, base.orderId, now, (o) => ({ ...o, status: 'paid' }), stale);
    expect(saved).toMatchObject({ status: 'paid', chargeId: 'ch_1', revision: 3 });
    expect(store.reads).toBe(0);
  });

  it('reads once when it loses a race on the order it read itself', async () => {
    const store = new CountingStore();
    await store.create(base);
    let raced = false;
    // Someone else saves between this update's read and its save.
    const saved = await update(store, base.orderId, now, (o) => {
      if (!raced) {
        raced = true;
        store.orders.set(base.orderId, { ...base, chargeId: 'ch_2', revision: 2 });
      }
      return { ...o, status: 'paid' };
    });
    expect(saved).toMatchObject({ status: 'paid', chargeId: 'ch_2', revision: 3 });
    expect(store.reads).toBe(1);
  });

  it('takes a change found unneeded on the order a lost race answers with as done', async () => {
    const store = new CountingStore();
    await store.create(base);
    await store.save({ ...base, status: 'paid', revision: 2 }, 1);
    const saved = await update(store, base.orderId, now, (o) => (o.status === 'paid' ? undefined : { ...o, status: 'paid' }), structuredClone(base));
    expect(saved).toMatchObject({ status: 'paid', revision: 2 });
    expect(store.reads).toBe(0);
  });

  it('says the order is not found when a lost race finds it gone', async () => {
    const store = new CountingStore();
    await store.create(base);
    const copy = structuredClone(base);
    store.orders.delete(base.orderId);
    await expect(update(store, base.orderId, now, (o) => ({ ...o, status: 'paid' }), copy)).rejects.toThrow(`Order ${base.orderId} not found`);
  });

  it('checks a fresh read before calling a change unneeded on the strength of a stale copy', async () => {
    const store = new CountingStore();
    await store.create(base);
    const stale = { ...structuredClone(base), status: 'paid' as const };
    const saved = await update(store, base.orderId, now, (o) => (o.status === 'paid' ? undefined : { ...o, status: 'paid' }), stale);
    expect(saved).toMatchObject({ status: 'paid', revision: 2 });
    expect((await store.get(base.orderId))?.status).toBe('paid');
  });
});
