// In-memory versions of the verify use case's ports (tags, the ledger's read side, orders, workflow callbacks), with
// the contracts of the real adapters (a counter that only rises, conditional order writes), counting what is asked.
import type { Order } from '../../../shared/orders/order.js';
import type { OrderStore, SaveOutcome, TaskCallbacks } from '../../../shared/orders/ports.js';
import type { Transaction } from '../../../shared/ledger/transaction.js';
import type { ProductLedger, TagRecord, TagStore } from '../../../shared/tags/ports.js';

const clone = <T>(v: T): T => structuredClone(v);

export class InMemoryTagStore implements TagStore {
  readonly tags = new Map<string, TagRecord>();
  gets = 0;
  async put(tag: TagRecord) {
    if (!this.tags.has(`${tag.gtin}/${tag.serial}`)) this.tags.set(`${tag.gtin}/${tag.serial}`, clone(tag));
  }
  async get(gtin: string, serial: string) {
    this.gets++;
    const t = this.tags.get(`${gtin}/${serial}`);
    return t && clone(t);
  }
  async advanceCounter(gtin: string, serial: string, counter: number) {
    const t = this.tags.get(`${gtin}/${serial}`);
    if (!t || t.lastCounter >= counter) return false;
    t.lastCounter = counter;
    return true;
  }
}

type Tx = Transaction & { id: string };

/** A ledger of committed transactions in commit order; `transactions` may be edited by a test to play a faulty node. */
export class InMemoryProductLedger implements ProductLedger {
  readonly transactions: Tx[] = [];
  readonly calls = { search: 0, get: 0, list: 0, last: 0 };
  commit(tx: Tx) {
    this.transactions.push(clone(tx));
  }
  private assetOf(tx: Tx) {
    return 'id' in tx.asset ? tx.asset.id : tx.id;
  }
  async searchAssets(text: string) {
    this.calls.search++;
    return this.transactions.filter((t) => t.operation === 'CREATE' && 'data' in t.asset && JSON.stringify(t.asset.data).includes(text)).map((t) => ({ id: t.id, data: clone((t.asset as { data: Record<string, unknown> }).data) }));
  }
  async getTransaction(id: string) {
    this.calls.get++;
    const t = this.transactions.find((x) => x.id === id);
    return t && clone(t);
  }
  async listTransactions(assetId: string) {
    this.calls.list++;
    return this.transactions.filter((t) => this.assetOf(t) === assetId).map(clone);
  }
  async lastTransactionId(assetId: string) {
    this.calls.last++;
    return this.transactions.filter((t) => this.assetOf(t) === assetId).at(-1)?.id;
  }
  transactionUrl(id: string) {
    return `https://ledger.example/api/v1/transactions/${id}`;
  }
}

export class InMemoryOrderStore implements OrderStore {
  readonly orders = new Map<string, Order>();
  async get(orderId: string) {
    const o = this.orders.get(orderId);
    return o && clone(o);
  }
  async create(order: Order) {
    if (this.orders.has(order.orderId)) return false;
    this.orders.set(order.orderId, clone(order));
    return true;
  }
  async createOrExisting(order: Order) {
    const stored = this.orders.get(order.orderId);
    if (stored) return clone(stored);
    this.orders.set(order.orderId, clone(order));
    return undefined;
  }
  async save(order: Order, expectedRevision: number) {
    return (await this.saveOrCurrent(order, expectedRevision)).saved;
  }
  async saveOrCurrent(order: Order, expectedRevision: number): Promise<SaveOutcome> {
    const stored = this.orders.get(order.orderId);
    if (stored?.revision !== expectedRevision) return { saved: false, current: stored && clone(stored) };
    this.orders.set(order.orderId, clone(order));
    return { saved: true };
  }
  async listByCustomer(customerId: string) {
    return [...this.orders.values()].filter((o) => o.customerId === customerId).map(clone);
  }
  readonly charges = new Map<string, string>();
  async linkCharge(chargeId: string, orderId: string) {
    this.charges.set(chargeId, orderId);
  }
  async orderOfCharge(chargeId: string) {
    return this.charges.get(chargeId);
  }
}

/** Task tokens answered so far; a token answers once, as in Step Functions. */
export class RecordedCallbacks implements TaskCallbacks {
  readonly succeeded: { token: string; output: Record<string, unknown> }[] = [];
  private readonly closed = new Set<string>();
  async succeed(token: string, output: Record<string, unknown>) {
    if (this.closed.has(token)) return false;
    this.closed.add(token);
    this.succeeded.push({ token, output: clone(output) });
    return true;
  }
  async fail(token: string) {
    if (this.closed.has(token)) return false;
    this.closed.add(token);
    return true;
  }
  async heartbeat(token: string) {
    return !this.closed.has(token);
  }
}
