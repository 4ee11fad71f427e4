// Any BigchainDB 2.x network over its HTTP API, with our own client: the official driver drops custom headers (it
// spreads them into the fetch init instead of init.headers), and hosted networks authenticate with headers such as
// app_id/app_key. Every request here carries the configured headers. node:http with a keep-alive agent rather than
// fetch: a product check reads the ledger on every request, and fetch costs about twice the CPU per request.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DependencyUnavailable, RuleViolation } from '../errors.js';
import { DoubleSpend, type LedgerNetwork } from '../ledger/ports.js';
import type { Transaction } from '../ledger/transaction.js';

interface LedgerResponse {
  status: number;
  text: string;
}

export class BigchainDbHttpLedger implements LedgerNetwork {
  private readonly base: string;
  private readonly secure: boolean;
  private readonly agent: HttpAgent;
  constructor(
    url: string,
    private readonly headers: Record<string, string> = {},
    /** How long a request may go without a byte from the ledger before it fails. */
    private readonly timeoutMs = 30_000,
  ) {
    this.base = url.replace(/\/+$/, '').replace(/\/api\/v1$/, '') + '/api/v1';
    this.secure = this.base.startsWith('https:');
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  private async request(path: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {}): Promise<LedgerResponse> {
    let failure: unknown;
    // A kept-alive connection the ledger closed while idle (or while a Lambda was frozen) fails on first use; a read
    // is safe to send again on a new one.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.send(path, init);
      } catch (err) {
        failure = err;
        if ((init.method ?? 'GET') !== 'GET' || !(err as { reusedSocket?: boolean }).reusedSocket) break;
      }
    }
    throw new DependencyUnavailable(`The ledger at ${this.base} is unreachable: ${(failure as Error).message}`);
  }

  private send(path: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> }): Promise<LedgerResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json', ...this.headers, ...init.headers };
      if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
      const req = (this.secure ? httpsRequest : httpRequest)(`${this.base}${path}`, { method: init.method ?? 'GET', headers, agent: this.agent }, (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      req.end(init.body);
    });
  }

  private json<T>(res: LedgerResponse, what: string): T {
    const { status, text } = res;
    if (status >= 500 || status === 429) throw new DependencyUnavailable(`The ledger failed ${what}: ${status} ${text.slice(0, 300)}`);
    if (status === 401 || status === 403) throw new DependencyUnavailable(`The ledger refused our credentials for ${what}: ${status}`);
    if (status < 200 || status >= 300) throw new RuleViolation(`The ledger rejected ${what}: ${status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  async getTransaction(id: string): Promise<(Transaction & { id: string }) | undefined> {
    const res = await this.request(`/transactions/${encodeURIComponent(id)}`);
    if (res.status === 404) return undefined;
    return this.json(res, `GET transaction ${id}`);
  }

  async commit(tx: Transaction & { id: string }): Promise<'committed' | 'already-committed'> {
    const res = await this.request('/transactions?mode=commit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx) });
    if (res.status === 400) {
      const text = res.text;
      // A retried POST of a CREATE that made it the first time.
      if (/DuplicateTransaction/.test(text)) return 'already-committed';
      // The same transaction is still in the mempool: not committed yet, so not done; the retry's GET will find it.
      if (/already exists in cache/i.test(text)) throw new DependencyUnavailable(`${tx.id} is still pending on the ledger`);
      if (/DoubleSpend/.test(text)) {
        // BigchainDB answers a re-posted committed TRANSFER with DoubleSpend, not DuplicateTransaction: if the spend
        // is our very transaction, the retry succeeded.
        if (await this.getTransaction(tx.id)) return 'already-committed';
        throw new DoubleSpend(`The ledger refused ${tx.id} as a double spend: ${text.slice(0, 300)}`);
      }
      throw new RuleViolation(`The ledger rejected ${tx.id}: ${text.slice(0, 500)}`);
    }
    this.json(res, `POST transaction ${tx.id}`);
    return 'committed';
  }

  async spenderOf(assetId: string, txId: string, outputIndex: number): Promise<(Transaction & { id: string }) | undefined> {
    // BigchainDB's HTTP API has no query by spent output; an asset's TRANSFERs are few, and this is asked only after a
    // refused spend.
    const transfers = await this.json<(Transaction & { id: string })[]>(
      await this.request(`/transactions?asset_id=${encodeURIComponent(assetId)}&operation=TRANSFER`),
      `list the transfers of ${assetId}`,
    );
    return transfers.find((t) => t.inputs.some((i) => i.fulfills?.transaction_id === txId && i.fulfills.output_index === outputIndex));
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

  /** BigchainDB's `last_tx=true`: only the asset's most recently committed transaction. */
  async lastTransactionId(assetId: string): Promise<string | undefined> {
    const [last] = await this.json<{ id?: unknown }[]>(await this.request(`/transactions?asset_id=${encodeURIComponent(assetId)}&last_tx=true`), `the last transaction of ${assetId}`);
    return typeof last?.id === 'string' ? last.id : undefined;
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
