// Any BigchainDB 2.x network over its HTTP API, with our own fetch client: the official driver drops custom headers
// (it spreads them into the fetch init instead of init.headers), and hosted networks authenticate with headers such
// as app_id/app_key. Every request here carries the configured headers.
import { Conflict, DependencyUnavailable, RuleViolation } from '../errors.js';
import type { LedgerNetwork } from '../ledger/ports.js';
import type { Transaction } from '../ledger/transaction.js';

export class BigchainDbHttpLedger implements LedgerNetwork {
  private readonly base: string;
  constructor(
    url: string,
    private readonly headers: Record<string, string> = {},
    private readonly timeoutMs = 30_000,
  ) {
    this.base = url.replace(/\/+$/, '').replace(/\/api\/v1$/, '') + '/api/v1';
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        ...init,
        headers: { accept: 'application/json', ...this.headers, ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new DependencyUnavailable(`The ledger at ${this.base} is unreachable: ${(err as Error).message}`);
    }
  }

  private async json<T>(res: Response, what: string): Promise<T> {
    const text = await res.text();
    if (res.status >= 500 || res.status === 429) throw new DependencyUnavailable(`The ledger failed ${what}: ${res.status} ${text.slice(0, 300)}`);
    if (res.status === 401 || res.status === 403) throw new DependencyUnavailable(`The ledger refused our credentials for ${what}: ${res.status}`);
    if (!res.ok) throw new RuleViolation(`The ledger rejected ${what}: ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  async getTransaction(id: string): Promise<(Transaction & { id: string }) | undefined> {
    const res = await this.request(`/transactions/${encodeURIComponent(id)}`);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    return this.json(res, `GET transaction ${id}`);
  }

  async commit(tx: Transaction & { id: string }): Promise<void> {
    const res = await this.request('/transactions?mode=commit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx) });
    if (res.status === 400) {
      const text = await res.text();
      // A retried POST of a CREATE that made it the first time.
      if (/DuplicateTransaction/.test(text)) return;
      // The same transaction is still in the mempool: not committed yet, so not done; the retry's GET will find it.
      if (/already exists in cache/i.test(text)) throw new DependencyUnavailable(`${tx.id} is still pending on the ledger`);
      if (/DoubleSpend/.test(text)) {
        // BigchainDB answers a re-posted committed TRANSFER with DoubleSpend, not DuplicateTransaction: if the spend
        // is our very transaction, the retry succeeded.
        if (await this.getTransaction(tx.id)) return;
        throw new Conflict(`The ledger refused ${tx.id} as a double spend: ${text.slice(0, 300)}`);
      }
      throw new RuleViolation(`The ledger rejected ${tx.id}: ${text.slice(0, 500)}`);
    }
    await this.json(res, `POST transaction ${tx.id}`);
  }

  /** Posts in any mode and returns the echoed transaction; `commit` above adds the idempotent-retry semantics. */
  async postTransaction(tx: Transaction & { id: string }, mode: 'async' | 'sync' | 'commit'): Promise<Transaction & { id: string }> {
    const res = await this.request(`/transactions?mode=${mode}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx) });
    return this.json(res, `POST transaction ${tx.id}`);
  }

  /** Output references owned by a public key; `spent` filters as BigchainDB does (absent = all). */
  async outputs(publicKey: string, spent?: boolean): Promise<{ transaction_id: string; output_index: number }[]> {
    const q = new URLSearchParams({ public_key: publicKey, ...(spent === undefined ? {} : { spent: String(spent) }) });
    return this.json(await this.request(`/outputs?${q}`), `outputs of ${publicKey}`);
  }

  async listTransactions(assetId: string): Promise<(Transaction & { id: string })[]> {
    return this.json(await this.request(`/transactions?asset_id=${encodeURIComponent(assetId)}`), `list transactions of ${assetId}`);
  }

  /** Assets whose data matches the text (BigchainDB's text search), best first. */
  async searchAssets(text: string, limit = 10): Promise<{ id: string; data: Record<string, unknown> }[]> {
    return this.json(await this.request(`/assets?search=${encodeURIComponent(text)}&limit=${limit}`), `search assets for ${text}`);
  }

  /** The public address of a transaction on this network. */
  transactionUrl(id: string): string {
    return `${this.base}/transactions/${id}`;
  }

  async blockHeightOf(txId: string): Promise<number | undefined> {
    const heights = await this.json<number[]>(await this.request(`/blocks?transaction_id=${encodeURIComponent(txId)}`), `blocks of ${txId}`);
    return heights[0];
  }
}
