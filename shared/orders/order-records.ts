// Reading and advancing an order record, shared by the workflow's steps and the use cases that act on an order from
// outside the workflow (refunds, payment events).
import { Conflict, NotFound } from '../errors.js';
import { notificationId, type NotificationKind, type Notifications } from './notifications.js';
import type { Order } from './order.js';
import type { OrderStore } from './ports.js';

export interface Clock {
  now: () => Date;
}

export async function load(orders: OrderStore, orderId: string): Promise<Order> {
  const o = await orders.get(orderId);
  if (!o) throw new NotFound(`Order ${orderId} not found`);
  return o;
}

/**
 * Applies `change` to the current order and saves it; re-reads and re-applies after a lost race. `known`, an order
 * the caller has just read, is tried first, which saves a read when nobody changed it since: the save is conditional
 * on its revision, so a stale one only costs the lost race. A change that finds nothing to do on it is checked again
 * on a fresh read, since "nothing to do" on a stale copy proves nothing.
 */
export async function update(orders: OrderStore, orderId: string, now: () => Date, change: (o: Order) => Order | undefined, known?: Order): Promise<Order> {
  for (let i = 0; i < 20; i++) {
    const fromKnown = i === 0 && known !== undefined && known.orderId === orderId;
    const current = fromKnown ? known : await load(orders, orderId);
    const next = change(current);
    if (!next) {
      if (fromKnown) continue;
      return current;
    }
    const saved = { ...next, revision: current.revision + 1, updatedAt: now().toISOString() };
    if (await orders.save(saved, current.revision)) return saved;
  }
  throw new Conflict(`Order ${orderId} is changing too often to update`);
}

/** What to tell one participant about their order. */
export interface Tiding {
  userId: string;
  kind: NotificationKind;
  text: string;
}

/** Tells a participant about their order, once per (order, kind, participant). */
export async function tell(deps: Clock & { notifications: Notifications }, order: Order, userId: string, kind: NotificationKind, text: string) {
  await tellAll(deps, order, [{ userId, kind, text }]);
}

/** Tells several participants at once (one write), each once per (order, kind, participant). */
export async function tellAll(deps: Clock & { notifications: Notifications }, order: Order, tidings: readonly Tiding[]) {
  if (tidings.length === 0) return;
  const at = deps.now().toISOString();
  await deps.notifications.notifyAll(tidings.map((t) => ({ notificationId: notificationId(order.orderId, t.kind, t.userId), userId: t.userId, kind: t.kind, orderId: order.orderId, text: t.text, at })));
}
