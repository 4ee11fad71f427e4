// A proof bundle: everything needed to check an asset's history offline, with a hash over its content so a
// damaged or edited file is noticed before its transactions are even looked at.
import { createHash } from 'node:crypto';
import type { BigchainDbHttpLedger } from '../shared/adapters/bigchaindb-http-ledger.js';
import { canonicalJson, type Transaction } from '../shared/ledger/transaction.js';
import { verifyHistory, type Verification } from '../shared/ledger/verify-history.js';

export interface ProofBundle {
  format: 'dpm-proof-bundle/1';
  assetId: string;
  ledger: string;
  fetchedAt: string;
  transactions: (Transaction & { id: string })[];
  blockHeights: Record<string, number | undefined>;
  /** SHA-256 of the canonical JSON of every field above. */
  bundleHash: string;
}

const hashOf = (b: Omit<ProofBundle, 'bundleHash'>) => createHash('sha256').update(canonicalJson(b)).digest('hex');

export async function fetchBundle(ledger: BigchainDbHttpLedger, assetId: string, url: string): Promise<ProofBundle> {
  const create = await ledger.getTransaction(assetId);
  if (!create) throw new Error(`No transaction ${assetId} on ${url}`);
  const transfers = (await ledger.listTransactions(assetId)).filter((t) => t.id !== assetId);
  const transactions = [create, ...transfers];
  const blockHeights: Record<string, number | undefined> = {};
  for (const t of transactions) blockHeights[t.id] = await ledger.blockHeightOf(t.id);
  return makeBundle({ assetId, ledger: url, fetchedAt: new Date().toISOString(), transactions, blockHeights });
}

/** Seals the material with its bundle hash. */
export function makeBundle(body: Omit<ProofBundle, 'bundleHash' | 'format'>): ProofBundle {
  const full = { format: 'dpm-proof-bundle/1' as const, ...body };
  return { ...full, bundleHash: hashOf(full) };
}

export function checkBundle(bundle: ProofBundle): Verification {
  if (bundle?.format !== 'dpm-proof-bundle/1' || !Array.isArray(bundle.transactions)) {
    return { verified: false, assetId: String(bundle?.assetId), problems: ['not a DPM proof bundle (format dpm-proof-bundle/1)'], story: [] };
  }
  const { bundleHash, ...body } = bundle;
  const result = verifyHistory(bundle.assetId, bundle.transactions, bundle.blockHeights ?? {});
  if (hashOf(body) !== bundleHash) result.problems.unshift('the bundle hash does not match its content: the file was edited or damaged');
  const unconfirmed = bundle.transactions.filter((t) => bundle.blockHeights?.[t.id] === undefined).map((t) => t.id);
  if (unconfirmed.length) result.problems.push(`not in any block: ${unconfirmed.join(', ')}`);
  return { ...result, verified: result.problems.length === 0 };
}
