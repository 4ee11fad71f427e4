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
 * Applies `change` to the current order and saves it; after a lost race it re-applies it to the order that won, which
 * the failed save answers with (no second read). `known`, an order the caller has just read, is tried first, else the
 * order as the store last saw it, which saves a read when nobody changed it since: the save is conditional on its
 * revision, so a stale one only costs the lost race. A change that finds nothing to do on it, or refuses it (throws),
 * is tried again on a fresh read, since neither proves anything about a stale copy; the order a lost race answers with
 * is as fresh as a read.
 */
export async function update(orders: OrderStore, orderId: string, now: () => Date, change: (o: Order) => Order | undefined, known?: Order): Promise<Order> {
  let current = known?.orderId === orderId ? known : orders.lastSeen?.(orderId);
  let fresh = false;
  for (let i = 0; i < 20; i++) {
    if (!current) {
      current = await load(orders, orderId);
      fresh = true;
    }
    let next: Order | undefined;
    try {
      next = change(current);
    } catch (err) {
      if (fresh) throw err;
      current = undefined;
      continue;
    }
    if (!next) {
      if (fresh) return current;
      current = undefined;
      continue;
    }
    const saved = { ...next, revision: current.revision + 1, updatedAt: now().toISOString() };
    const outcome = await orders.saveOrCurrent(saved, current.revision);
    if (outcome.saved) return saved;
    if (!outcome.current) throw new NotFound(`Order ${orderId} not found`);
    current = outcome.current;
    fresh = true;
  }
  throw new Conflict(`Order ${orderId} is changing too often to update`);
}

/** An amount as the notifications write it: €12.50. */
export const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;

/** What to tell one participant about their order. */
export interface Tiding {
  userId: string;
  kind: NotificationKind;
  text: string;
  /** Set when the participant may get this kind more than once for the order: what this one is about. */
  occasion?: string;
}

/** Tells a participant about their order, once per (order, kind, participant). */
export async function tell(deps: Clock & { notifications: Notifications }, order: Order, userId: string, kind: NotificationKind, text: string) {
  await tellAll(deps, order, [{ userId, kind, text }]);
}

/** Tells several participants at once (one write), each once per (order, kind, participant). */
export async function tellAll(deps: Clock & { notifications: Notifications }, order: Order, tidings: readonly Tiding[]) {
  if (tidings.length === 0) return;
  const at = deps.now().toISOString();
  await deps.notifications.notifyAll(tidings.map((t) => ({ notificationId: notificationId(order.orderId, t.kind, t.userId, t.occasion), userId: t.userId, kind: t.kind, orderId: order.orderId, text: t.text, at })));
}
