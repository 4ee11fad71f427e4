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

type Caller = { userId: string; operatesPrinter: (printerId: string) => boolean };

function sideOf(order: Order | undefined, caller: Caller, orderId: string): 'customer' | 'printer' {
  if (order?.customerId === caller.userId) return 'customer';
  if (order?.attempts.some((a) => caller.operatesPrinter(a.printerId))) return 'printer';
  throw new NotFound(`Order ${orderId} not found`);
}

export async function postMessage(input: MessageInput & { orderId: string; caller: Caller }, deps: { orders: OrderStore; messages: OrderMessages; now: () => Date }) {
  const order = await deps.orders.get(input.orderId);
  const from = sideOf(order, input.caller, input.orderId);
  return deps.messages.put({ orderId: input.orderId, messageId: input.messageId, from, text: input.text, at: deps.now().toISOString() });
}

export async function listMessages(input: { orderId: string; caller: Caller }, deps: { orders: OrderStore; messages: OrderMessages }) {
  sideOf(await deps.orders.get(input.orderId), input.caller, input.orderId);
  return deps.messages.list(input.orderId);
}
