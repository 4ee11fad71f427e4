// Notifications: each goes to the recipient's in-app inbox and to the outbox, from which a sender (e-mail, push)
// delivers it. The id follows from the order and the step, so a replayed step never notifies twice.
export type NotificationKind = 'order-placed' | 'order-shipped' | 'order-completed' | 'order-refunded' | 'payment-partly-refunded' | 'royalty-earned' | 'payout-earned' | 'payout-reversed';

export interface Notification {
  notificationId: string;
  userId: string;
  kind: NotificationKind;
  orderId: string;
  text: string;
  at: string;
}

export interface Notifications {
  /** Writes the notification to the inbox and the outbox once; a second call with the same id does nothing. */
  notify(n: Notification): Promise<void>;
  /**
   * Writes several notifications together (one request where the store allows it), each once: those sent already
   * are left as they are and the rest are written, so a replay after any crash sends each exactly once.
   */
  notifyAll(ns: readonly Notification[]): Promise<void>;
  inbox(userId: string, limit: number): Promise<Notification[]>;
}

/** `occasion` tells apart several notifications of one kind on one order (each part of a payment given back, say). */
export const notificationId = (orderId: string, kind: NotificationKind, userId: string, occasion?: string) => `${orderId}:${kind}:${userId}${occasion ? `:${occasion}` : ''}`;
