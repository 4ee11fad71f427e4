// The customer's (or carrier's) confirmation of delivery: handed to the waiting workflow, or left on the order for its
// delivery step, from the order read once; a lost race goes on from the order that won it, never confirming twice.
import { describe, expect, it } from 'vitest';
import { confirmDelivery } from '../../../shared/orders/place-order.js';
import { anOrder } from '../../support/fakes/orders.js';
import { InMemoryOrderStore, RecordedCallbacks } from '../../support/fakes/tags.js';

class CountingStore extends InMemoryOrderStore {
  reads = 0;
  /** Runs once, just before the next conditional save: another writer's change landing first. */
  beforeSave?: () => Promise<void>;
  override async get(orderId: string) {
    this.reads++;
    return super.get(orderId);
  }
  override async saveOrCurrent(...args: Parameters<InMemoryOrderStore['saveOrCurrent']>) {
    const race = this.beforeSave;
    this.beforeSave = undefined;
    await race?.();
    return super.saveOrCurrent(...args);
  }
}

const shipped = anOrder({ status: 'shipped', customerId: 'cust-1', shipment: { carrierId: 'dpm-post', trackingNumber: 'TRK1' } });
const byCustomer = { kind: 'customer' as const, customerId: 'cust-1' };

describe('confirming a delivery', () => {
  it('hands it to the workflow waiting for it, reading the order once', async () => {
    const orders = new CountingStore();
    await orders.create({ ...shipped, waiting: { step: 'delivery', token: 'tok-1' } });
    const callbacks = new RecordedCallbacks();
    await confirmDelivery({ orderId: shipped.orderId, by: byCustomer }, { orders, callbacks });
    expect(callbacks.succeeded).toEqual([{ token: 'tok-1', output: { confirmedBy: 'customer-scan' } }]);
    expect(orders.reads).toBe(1);
  });

  it('leaves it on the order when the workflow is not waiting yet, reading the order once', async () => {
    const orders = new CountingStore();
    await orders.create(shipped);
    const callbacks = new RecordedCallbacks();
    await confirmDelivery({ orderId: shipped.orderId, by: { kind: 'carrier', carrierId: 'dpm-post', trackingNumber: 'TRK1' } }, { orders, callbacks });
    expect(orders.reads).toBe(1);
    expect((await orders.get(shipped.orderId))?.deliveryConfirmedBy).toBe('carrier');
    expect(callbacks.succeeded).toEqual([]);
  });

  it('goes on from the order that won a race: the workflow began waiting meanwhile, so its token gets the confirmation', async () => {
    const orders = new CountingStore();
    await orders.create(shipped);
    orders.beforeSave = async () => void (await orders.save({ ...shipped, waiting: { step: 'delivery', token: 'tok-2' }, revision: 2 }, 1));
    const callbacks = new RecordedCallbacks();
    await confirmDelivery({ orderId: shipped.orderId, by: byCustomer }, { orders, callbacks });
    // Nothing was read after the lost race, and the confirmation went to the workflow, not onto the order.
    expect(orders.reads).toBe(1);
    expect(callbacks.succeeded).toEqual([{ token: 'tok-2', output: { confirmedBy: 'customer-scan' } }]);
    expect((await orders.get(shipped.orderId))?.deliveryConfirmedBy).toBeUndefined();
  });
});
