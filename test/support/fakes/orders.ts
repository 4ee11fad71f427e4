// One order record for unit tests to start from; each test overrides what it is about. Notifications in memory.
import type { Notification, Notifications } from '../../../shared/orders/notifications.js';
import type { Order } from '../../../shared/orders/order.js';

export function anOrder(extra: Partial<Order> = {}): Order {
  const at = '2026-12-02T10:00:00.000Z';
  return {
    orderId: 'ord_000000000000000000000001',
    customerId: 'bob',
    designId: 'd1',
    designerId: 'alice',
    material: 'PLA',
    licenseVersion: 1,
    quote: { currency: 'eur', designPriceCents: 1, printingFeeCents: 1, commissionCents: 0, shippingCents: 1, totalCents: 3, estimate: { printSeconds: 600, grams: 1 } },
    royaltyCents: 1,
    paymentMethod: 'pm',
    status: 'licensed',
    attempts: [],
    createdAt: at,
    updatedAt: at,
    revision: 1,
    ...extra,
  };
}

/** Inbox and outbox in memory, with the adapter's contract (each id written once), recording every call. */
export class InMemoryNotifications implements Notifications {
  readonly sent = new Map<string, Notification>();
  /** The ids each call was given, in call order: one entry per write to the store. */
  readonly calls: string[][] = [];
  async notify(n: Notification) {
    await this.notifyAll([n]);
  }
  async notifyAll(ns: readonly Notification[]) {
    this.calls.push(ns.map((n) => n.notificationId));
    for (const n of ns) if (!this.sent.has(n.notificationId)) this.sent.set(n.notificationId, structuredClone(n));
  }
  async inbox(userId: string, limit: number) {
    return [...this.sent.values()].filter((n) => n.userId === userId).sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
  }
}
