// Conversations: a message is recorded for the order's customer and each of its printers; a caller lists only the
// parties they are (themselves as a customer, the printers they operate), newest first, each order once.
import { describe, expect, it } from 'vitest';
import { NotFound } from '../../../shared/errors.js';
import { conversationParty, listConversations, postMessage, type ConversationEntry, type ConversationIndex, type OrderMessage, type OrderMessages } from '../../../shared/orders/messages.js';
import type { Order } from '../../../shared/orders/order.js';
import type { OrderStore } from '../../../shared/orders/ports.js';

function fakes(orders: Partial<Order>[]) {
  const stored: OrderMessage[] = [];
  const index = new Map<string, Map<string, ConversationEntry>>();
  const messages: OrderMessages = { put: async (m) => (stored.push(m), m), list: async (id) => stored.filter((m) => m.orderId === id) };
  const conversations: ConversationIndex = {
    record: async (parties, m) => {
      for (const p of parties) {
        const list = index.get(p) ?? new Map<string, ConversationEntry>();
        const known = list.get(m.orderId);
        if (!known || known.last.at <= m.at) list.set(m.orderId, { orderId: m.orderId, last: m });
        index.set(p, list);
      }
    },
    list: async (p) => [...(index.get(p)?.values() ?? [])],
  };
  const store = { get: async (id: string) => orders.find((o) => o.orderId === id) as Order | undefined } as OrderStore;
  let t = Date.parse('2026-12-01T10:00:00Z');
  const now = () => new Date((t += 60_000));
  return { deps: { orders: store, messages, conversations, now }, index };
}

const customer = (userId: string) => ({ userId, operatesPrinter: () => false });
const operator = (userId: string, printers: string[]) => ({ userId, operatesPrinter: (p: string) => printers.includes(p) });

describe('order conversations', () => {
  const orders = [
    { orderId: 'o1', customerId: 'c1', attempts: [{ printerId: 'p-declined' }, { printerId: 'p1' }] },
    { orderId: 'o2', customerId: 'c1', attempts: [] },
    { orderId: 'o3', customerId: 'c2', attempts: [{ printerId: 'p1' }] },
  ] as unknown as Partial<Order>[];

  it('given messages on several orders, when each side lists, then each sees their own, newest first', async () => {
    const { deps, index } = fakes(orders);
    await postMessage({ orderId: 'o1', messageId: 'm1', text: 'Matte?', caller: customer('c1') }, deps);
    await postMessage({ orderId: 'o2', messageId: 'm2', text: 'Hello', caller: customer('c1') }, deps);
    await postMessage({ orderId: 'o1', messageId: 'm3', text: 'Yes', caller: operator('op', ['p1']) }, deps);
    await postMessage({ orderId: 'o3', messageId: 'm4', text: 'Other customer', caller: customer('c2') }, deps);
    expect([...index.keys()].sort()).toEqual([conversationParty.customer('c1'), conversationParty.customer('c2'), conversationParty.printer('p-declined'), conversationParty.printer('p1')].sort());

    const c1 = await listConversations({ caller: { userId: 'c1', printerIds: [] } }, deps);
    expect(c1.map((c) => `${c.orderId} ${c.as} ${c.last.text}`)).toEqual(['o1 customer Yes', 'o2 customer Hello']);
    const op = await listConversations({ caller: { userId: 'op', printerIds: ['p1'] } }, deps);
    expect(op.map((c) => `${c.orderId} ${c.as} ${c.last.from}`)).toEqual(['o3 printer customer', 'o1 printer printer']);
    expect(await listConversations({ caller: { userId: 'nobody', printerIds: ['p9'] } }, deps)).toEqual([]);
  });

  it('lists an order its caller bought and printed once, as the customer', async () => {
    const { deps } = fakes([{ orderId: 'o9', customerId: 'u', attempts: [{ printerId: 'pu' }] }] as unknown as Partial<Order>[]);
    await postMessage({ orderId: 'o9', messageId: 'm', text: 'Note to self', caller: customer('u') }, deps);
    expect((await listConversations({ caller: { userId: 'u', printerIds: ['pu'] } }, deps)).map((c) => c.as)).toEqual(['customer']);
  });

  it('records nothing for a stranger’s post', async () => {
    const { deps, index } = fakes(orders);
    await expect(postMessage({ orderId: 'o1', messageId: 'm', text: 'Hi', caller: customer('c2') }, deps)).rejects.toBeInstanceOf(NotFound);
    expect(index.size).toBe(0);
  });
});
