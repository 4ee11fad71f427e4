// Messages about an order between its customer and the operator of the printer it was given to. Nobody else reads
// them; a stranger gets the same answer as for an unknown order.
import { z } from 'zod';
import { NotFound } from '../errors.js';
import type { Order } from './order.js';
import type { OrderStore } from './ports.js';

export const MessageInput = z.strictObject({
  /** Chosen by the client: a retried post is the same message. */
  messageId: z.uuid(),
  text: z.string().trim().min(1).max(2000),
});
export type MessageInput = z.infer<typeof MessageInput>;

export interface OrderMessage {
  orderId: string;
  messageId: string;
  from: 'customer' | 'printer';
  text: string;
  at: string;
}

export interface OrderMessages {
  /** Keeps the message once per messageId; returns the stored one. */
  put(message: OrderMessage): Promise<OrderMessage>;
  list(orderId: string): Promise<OrderMessage[]>;
}

/** Whose conversation an order's messages are: its customer's, and each of its printers' (their operators read them). */
export const conversationParty = { customer: (customerId: string) => `customer:${customerId}`, printer: (printerId: string) => `printer:${printerId}` };

/** One order's conversation as a party sees it in their list: the order and its latest message. */
export interface ConversationEntry {
  orderId: string;
  last: OrderMessage;
}

export interface Conversation extends ConversationEntry {
  /** The caller's side of it. */
  as: 'customer' | 'printer';
}

/** Each party's list of the orders they have talked about, with the latest message of each. */
export interface ConversationIndex {
  /** Notes the message as the parties' latest about its order; an older message never replaces a newer one. */
  record(parties: readonly string[], message: OrderMessage): Promise<void>;
  list(party: string): Promise<ConversationEntry[]>;
}

type Caller = { userId: string; operatesPrinter: (printerId: string) => boolean };

function sideOf(order: Order | undefined, caller: Caller, orderId: string): 'customer' | 'printer' {
  if (order?.customerId === caller.userId) return 'customer';
  if (order?.attempts.some((a) => caller.operatesPrinter(a.printerId))) return 'printer';
  throw new NotFound(`Order ${orderId} not found`);
}

export async function postMessage(
  input: MessageInput & { orderId: string; caller: Caller },
  deps: { orders: OrderStore; messages: OrderMessages; conversations: ConversationIndex; now: () => Date },
) {
  const order = await deps.orders.get(input.orderId);
  const from = sideOf(order, input.caller, input.orderId);
  const stored = await deps.messages.put({ orderId: input.orderId, messageId: input.messageId, from, text: input.text, at: deps.now().toISOString() });
  // Recorded after the message itself (and again on a retry), so a list entry never points at a message that is not there.
  const printers = [...new Set(order!.attempts.map((a) => a.printerId))];
  await deps.conversations.record([conversationParty.customer(order!.customerId), ...printers.map(conversationParty.printer)], stored);
  return stored;
}

/**
 * The caller's conversations, newest first: as a customer (their orders) and as the operator of each of their
 * printers. Only parties the caller is are read, so nobody lists another's conversations.
 */
export async function listConversations(input: { caller: { userId: string; printerIds: readonly string[] } }, deps: { conversations: ConversationIndex }): Promise<Conversation[]> {
  const lists = await Promise.all([
    deps.conversations.list(conversationParty.customer(input.caller.userId)).then((l) => l.map((c) => ({ ...c, as: 'customer' as const }))),
    ...input.caller.printerIds.map((p) => deps.conversations.list(conversationParty.printer(p)).then((l) => l.map((c) => ({ ...c, as: 'printer' as const })))),
  ]);
  const byOrder = new Map<string, Conversation>();
  // An order the caller both bought and printed is listed once, as the customer.
  for (const c of lists.flat()) {
    const known = byOrder.get(c.orderId);
    if (!known || (known.as === 'printer' && c.as === 'customer')) byOrder.set(c.orderId, c);
  }
  return [...byOrder.values()].sort((a, b) => b.last.at.localeCompare(a.last.at) || a.orderId.localeCompare(b.orderId));
}

export async function listMessages(input: { orderId: string; caller: Caller }, deps: { orders: OrderStore; messages: OrderMessages }) {
  sideOf(await deps.orders.get(input.orderId), input.caller, input.orderId);
  return deps.messages.list(input.orderId);
}
