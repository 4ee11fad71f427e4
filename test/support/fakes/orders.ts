// One order record for unit tests to start from; each test overrides what it is about.
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
