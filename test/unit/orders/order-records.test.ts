// Advancing an order from a copy the caller already read: the copy saves a read when it is current, and can never
// make a change land on (or be skipped because of) a stale order.
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

  it('re-reads and re-applies when the copy is stale, keeping what changed meanwhile', async () => {
    const store = new CountingStore();
    await store.create(base);
    const stale = structuredClone(base);
    await store.save({ ...base, chargeId: 'ch_1', revision: 2 }, 1);
    const saved = await update(store, base.orderId, now, (o) => ({ ...o, status: 'paid' }), stale);
    expect(saved).toMatchObject({ status: 'paid', chargeId: 'ch_1', revision: 3 });
    expect(store.reads).toBe(1);
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
