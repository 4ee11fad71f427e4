// Builds real driver-signed transactions and starts ledger nodes on free ports with throw-away data directories.
import bdb from 'bigchaindb-driver';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLedgerNode, type LedgerNode, type LedgerNodeOptions } from '../../../local/ledger/node.js';

// The driver's hand-written .d.ts is stricter than the driver (and than what these tests post on purpose), so the
// tests see it through these looser shapes.
export interface Tx {
  id: string;
  version: string;
  operation: string;
  asset: { data?: Record<string, unknown> | null; id?: string };
  metadata: Record<string, unknown> | null;
  inputs: { owners_before: string[]; fulfills: { transaction_id: string; output_index: number } | null; fulfillment: string | null }[];
  outputs: { public_keys: string[]; amount: string; condition: { details: Record<string, unknown>; uri: string } }[];
}
export interface OutputRef {
  transaction_id: string;
  output_index: number;
}
export interface Keypair {
  publicKey: string;
  privateKey: string;
}
type SignFn = (serialized: string, input: Tx['inputs'][number], index: number) => string;
interface LooseTransaction {
  makeCreateTransaction(data: unknown, metadata: unknown, outputs: unknown[], ...issuers: string[]): Tx;
  makeTransferTransaction(inputs: { tx: Tx; output_index: number }[], outputs: unknown[], metadata: unknown): Tx;
  makeOutput(condition: unknown, amount?: string): Tx['outputs'][number];
  makeEd25519Condition(publicKey: string, json?: boolean): unknown;
  makeThresholdCondition(threshold: number, subconditions: unknown[], json?: boolean): unknown;
  signTransaction(tx: Tx, ...privateKeys: string[]): Tx;
  delegateSignTransaction(tx: Tx, signFn: SignFn): Tx;
}
interface LooseConnection {
  postTransaction(tx: Tx): Promise<Tx>;
  postTransactionCommit(tx: Tx): Promise<Tx>;
  postTransactionSync(tx: Tx): Promise<Tx>;
  postTransactionAsync(tx: Tx): Promise<Tx>;
  getTransaction(id: string): Promise<Tx>;
  listTransactions(assetId: string, operation?: string): Promise<Tx[]>;
  listOutputs(publicKey: string, spent?: boolean): Promise<OutputRef[]>;
  listBlocks(txId: string): Promise<number[]>;
  getBlock(height: number): Promise<{ height: number; transactions: Tx[] }>;
  searchAssets(search: string, limit?: number): Promise<{ data: unknown; id: string }[]>;
  searchMetadata(search: string, limit?: number): Promise<{ id: string; metadata: unknown }[]>;
}

export const Transaction = bdb.Transaction as unknown as LooseTransaction;
export const Ed25519Keypair = bdb.Ed25519Keypair as unknown as new (seed?: Buffer) => Keypair;
export const Connection = bdb.Connection as unknown as new (url: string) => LooseConnection;

export interface TestNode {
  node: LedgerNode;
  dataDir: string;
  api: string;
  conn: LooseConnection;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestNode(opts: Partial<LedgerNodeOptions> = {}, dataDir?: string): Promise<TestNode> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'dpm-ledger-')));
  const logs: string[] = [];
  const node = await startLedgerNode({ port: 0, blockIntervalMs: 20, log: (l) => logs.push(l), ...opts, dataDir: dir });
  const api = `${node.url}/api/v1/`;
  return {
    node,
    dataDir: dir,
    api,
    conn: new Connection(api),
    logs,
    async stop() {
      await node.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function createTx(owner: Keypair, data: Record<string, unknown> | null, metadata: Record<string, unknown> | null, amounts: string[] = ['1']): Tx {
  const outputs = amounts.map((a) => Transaction.makeOutput(Transaction.makeEd25519Condition(owner.publicKey), a));
  return Transaction.signTransaction(Transaction.makeCreateTransaction(data, metadata, outputs, owner.publicKey), owner.privateKey);
}

export function transferTx(
  inputs: { tx: Tx; output_index: number }[],
  to: { key: string; amount: string }[],
  metadata: Record<string, unknown> | null,
  ...signers: Keypair[]
): Tx {
  const outputs = to.map((o) => Transaction.makeOutput(Transaction.makeEd25519Condition(o.key), o.amount));
  const unsigned = Transaction.makeTransferTransaction(inputs, outputs, metadata);
  return Transaction.signTransaction(unsigned, ...signers.map((s) => s.privateKey));
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function http(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, statusText: res.statusText, headers: res.headers, body, text };
}

export function post(api: string, tx: unknown, mode = 'commit'): Promise<RawResponse> {
  return http(`${api}transactions?mode=${mode}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof tx === 'string' ? tx : JSON.stringify(tx),
  });
}

/** Polls until `fn` returns a value (async/sync modes answer before the block is cut). */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function getTx(api: string, id: string): Promise<Record<string, unknown> | undefined> {
  const r = await http(`${api}transactions/${id}`);
  return r.status === 200 ? (r.body as Record<string, unknown>) : undefined;
}
