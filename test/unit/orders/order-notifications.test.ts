// Who is told what when an order is released or refunded: everyone concerned in one write to the notifications, each
// once however often the step is replayed; and the delivery event the release publishes on the bus.
import { describe, expect, it } from 'vitest';
import type { Books, JournalEntry } from '../../../shared/payments/accounting.js';
import type { PaymentGateway } from '../../../shared/payments/payment-gateway.js';
import type { PayoutAccountStore } from '../../../shared/payments/payout-accounts.js';
import type { PrinterStore } from '../../../shared/printers/ports.js';
import type { Printer } from '../../../shared/printers/printer.js';
import { releaseEscrow } from '../../../shared/orders/order-steps.js';
import { closeRefunded } from '../../../shared/orders/refunds.js';
import { parseLedgerEvent } from '../../../events/ledger-events.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import { anOrder, InMemoryNotifications } from '../../support/fakes/orders.js';

const now = () => new Date('2026-12-02T11:00:00Z');
const printers = { get: async (id: string) => (id === 'printer-1' ? ({ printerId: id, operatorId: 'olga' } as Printer) : undefined) } as PrinterStore;
const shipped = anOrder({
  status: 'shipped',
  chargeId: 'ch_1',
  product: { productId: 'prd_1', printerId: 'printer-1', gcodeSha256: 'g', materialLot: 'lot', printParamsHash: 'p' },
  revision: 5,
});

function deps() {
  const orders = new InMemoryOrderStore();
  const notifications = new InMemoryNotifications();
  const journal: JournalEntry[] = [];
  const books = {
    post: async (e: JournalEntry) => (journal.some((x) => x.step === e.step) ? false : (journal.push(e), true)),
    entries: async () => journal,
  } as unknown as Books;
  // No payout account is ready: every share stays owed and no money moves.
  const payoutAccounts = { get: async () => undefined, getMany: async () => new Map() } as unknown as PayoutAccountStore;
  const payments = {} as PaymentGateway;
  return { orders, notifications, books, payoutAccounts, payments, printers, events: { publish: async () => {} }, now };
}

describe('notifications of a release', () => {
  it('tells the customer, the designer and the operator in one write, and a replay tells nobody twice', async () => {
    const d = deps();
    await d.orders.create(shipped);

    await releaseEscrow({ orderId: shipped.orderId }, d);

    expect(d.notifications.calls).toEqual([[`${shipped.orderId}:order-completed:bob`, `${shipped.orderId}:royalty-earned:alice`, `${shipped.orderId}:payout-earned:olga`]]);
    expect([...d.notifications.sent.values()].map((n) => [n.userId, n.kind])).toEqual([
      ['bob', 'order-completed'],
      ['alice', 'royalty-earned'],
      ['olga', 'payout-earned'],
    ]);
    expect((await d.notifications.inbox('alice', 5))[0]!.text).toContain('held for you');

    await releaseEscrow({ orderId: shipped.orderId }, d);
    expect(d.notifications.calls).toHaveLength(2);
    expect(d.notifications.sent.size).toBe(3);
  });

  it('leaves out a designer without royalty and a printer without operator', async () => {
    const d = deps();
    await d.orders.create({ ...shipped, royaltyCents: 0, product: { ...shipped.product!, printerId: 'printer-gone' } });

    await releaseEscrow({ orderId: shipped.orderId }, d);

    expect(d.notifications.calls).toEqual([[`${shipped.orderId}:order-completed:bob`]]);
  });
});

describe('the delivery event of a release', () => {
  it('names the carrier the product was shipped with (v2), and stays v1 for an order without a shipment', async () => {
    const published: unknown[] = [];
    const d = { ...deps(), events: { publish: async (e: unknown) => void published.push(e) } };
    await d.orders.create({ ...shipped, shipment: { carrierId: 'rapid-parcel', trackingNumber: 'RP1', at: '2026-12-02T09:00:00Z' } });
    await d.orders.create({ ...shipped, orderId: 'ord_2', product: { ...shipped.product!, productId: 'prd_2' } });

    await releaseEscrow({ orderId: shipped.orderId, confirmedBy: 'customer-scan' }, d);
    await releaseEscrow({ orderId: 'ord_2' }, d);

    // As the ledger writer and the partners' notifier parse it.
    expect(published.map((e) => parseLedgerEvent(e))).toEqual([
      expect.objectContaining({ type: 'product.delivered', version: 2, carrierId: 'rapid-parcel', productId: 'prd_1', confirmedBy: 'customer-scan' }),
      expect.objectContaining({ type: 'product.delivered', version: 1, productId: 'prd_2', confirmedBy: 'carrier' }),
    ]);
    expect(published[1]).not.toHaveProperty('carrierId');
  });
});

describe('notifications of a refund', () => {
  it('tells the customer, and the designer and operator whose shares were taken back, in one write', async () => {
    const d = deps();
    await d.orders.create({ ...shipped, status: 'completed' });

    const saved = await closeRefunded(shipped, { error: 'RefundedByAdmin', cause: 'broken' }, true, 'Your order was refunded: broken', d);

    expect(saved.status).toBe('refunded');
    expect(d.notifications.calls).toEqual([[`${shipped.orderId}:order-refunded:bob`, `${shipped.orderId}:payout-reversed:alice`, `${shipped.orderId}:payout-reversed:olga`]]);
    await closeRefunded(shipped, { error: 'RefundedByAdmin', cause: 'broken' }, true, 'Your order was refunded: broken', d);
    expect(d.notifications.sent.size).toBe(3);
  });

  it('tells only the customer when no release was undone', async () => {
    const d = deps();
    await d.orders.create(shipped);
    await closeRefunded(shipped, { error: 'PrintFailed', cause: 'x' }, false, 'refunded', d);
    expect(d.notifications.calls).toEqual([[`${shipped.orderId}:order-refunded:bob`]]);
  });
});
