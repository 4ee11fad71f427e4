// A proof bundle: everything needed to check an asset's history offline, with a hash over its content so a
// damaged or edited file is noticed before its transactions are even looked at. A product's bundle also holds its
// material lot's asset (the lot's certificates, those recorded after the print included), checked the same way and
// linked to the product by the lot id and the key that created both.
import { createHash } from 'node:crypto';
import type { BigchainDbHttpLedger } from '../shared/adapters/bigchaindb-http-ledger.js';
import { lotSearchKey } from '../shared/ledger/ledger-model.js';
import { claimsLot, lotLinkProblems, lotOf } from '../shared/ledger/material-lot.js';
import { canonicalJson, type Transaction } from '../shared/ledger/transaction.js';
import { verifyHistory, type Verification } from '../shared/ledger/verify-history.js';

type Tx = Transaction & { id: string };

export interface ProofBundle {
  format: 'dpm-proof-bundle/1';
  assetId: string;
  ledger: string;
  fetchedAt: string;
  transactions: Tx[];
  blockHeights: Record<string, number | undefined>;
  /**
   * The asset of the material lot the product names, when one is on the ledger (its first certificate creates it).
   * Optional, so bundles made before lots had assets still check, under the same format and hash.
   */
  lot?: { lotId: string; assetId: string; transactions: Tx[]; blockHeights: Record<string, number | undefined> };
  /** SHA-256 of the canonical JSON of every field above. */
  bundleHash: string;
}

/** The asset's verification, and its material lot's when the bundle holds one. */
export type BundleVerification = Verification & { lot?: Verification & { lotId: string } };

const hashOf = (b: Omit<ProofBundle, 'bundleHash'>) => createHash('sha256').update(canonicalJson(b)).digest('hex');

async function assetHistory(ledger: BigchainDbHttpLedger, assetId: string, url: string) {
  const create = await ledger.getTransaction(assetId);
  if (!create) throw new Error(`No transaction ${assetId} on ${url}`);
  const transfers = (await ledger.listTransactions(assetId)).filter((t) => t.id !== assetId);
  const transactions = [create, ...transfers];
  const blockHeights: Record<string, number | undefined> = {};
  for (const t of transactions) blockHeights[t.id] = await ledger.blockHeightOf(t.id);
  return { create, transactions, blockHeights };
}

/**
 * The lot's asset, found on the ledger itself: a search for the lot's own search key, then the claimant whose CREATE
 * names the product's creator as its signer (anyone may write an asset claiming the lot; `checkBundle` verifies the
 * signature and the link). Undefined while no certificate of the lot is on the ledger.
 */
async function lotOfProduct(ledger: BigchainDbHttpLedger, product: Tx, url: string): Promise<ProofBundle['lot']> {
  const lotId = lotOf('data' in product.asset ? product.asset.data : null);
  if (!lotId) return undefined;
  const creator = product.inputs[0]?.owners_before[0];
  for (const claimant of (await ledger.searchAssets(lotSearchKey(lotId))).filter((a) => claimsLot(a.data, lotId))) {
    const create = await ledger.getTransaction(claimant.id);
    if (create?.operation !== 'CREATE' || create.inputs[0]?.owners_before[0] !== creator) continue;
    const { transactions, blockHeights } = await assetHistory(ledger, claimant.id, url);
    return { lotId, assetId: claimant.id, transactions, blockHeights };
  }
  return undefined;
}

export async function fetchBundle(ledger: BigchainDbHttpLedger, assetId: string, url: string): Promise<ProofBundle> {
  const { create, transactions, blockHeights } = await assetHistory(ledger, assetId, url);
  const lot = await lotOfProduct(ledger, create, url);
  return makeBundle({ assetId, ledger: url, fetchedAt: new Date().toISOString(), transactions, blockHeights, ...(lot ? { lot } : {}) });
}

/** Seals the material with its bundle hash. */
export function makeBundle(body: Omit<ProofBundle, 'bundleHash' | 'format'>): ProofBundle {
  const full = { format: 'dpm-proof-bundle/1' as const, ...body };
  return { ...full, bundleHash: hashOf(full) };
}

const unconfirmedIn = (transactions: readonly Tx[], blockHeights: Record<string, number | undefined> | undefined) => {
  const unconfirmed = transactions.filter((t) => blockHeights?.[t.id] === undefined).map((t) => t.id);
  return unconfirmed.length ? [`not in any block: ${unconfirmed.join(', ')}`] : [];
};

export function checkBundle(bundle: ProofBundle): BundleVerification {
  if (bundle?.format !== 'dpm-proof-bundle/1' || !Array.isArray(bundle.transactions)) {
    return { verified: false, assetId: String(bundle?.assetId), problems: ['not a DPM proof bundle (format dpm-proof-bundle/1)'], story: [] };
  }
  const { bundleHash, ...body } = bundle;
  const result: BundleVerification = verifyHistory(bundle.assetId, bundle.transactions, bundle.blockHeights ?? {});
  if (hashOf(body) !== bundleHash) result.problems.unshift('the bundle hash does not match its content: the file was edited or damaged');
  result.problems.push(...unconfirmedIn(bundle.transactions, bundle.blockHeights));
  if (bundle.lot) {
    const { lotId, assetId, transactions, blockHeights } = bundle.lot;
    const lot = verifyHistory(assetId, Array.isArray(transactions) ? transactions : [], blockHeights ?? {});
    const named = lotOf(result.asset);
    // The lot is checked exactly like the product, and then tied to it: the product names this lot, and the key that
    // created the product created the lot's asset too.
    const problems = [
      ...lot.problems,
      ...unconfirmedIn(Array.isArray(transactions) ? transactions : [], blockHeights),
      ...(named === lotId ? [] : [`the product names lot ${named ?? '(none)'}, not ${lotId}`]),
      ...lotLinkProblems({ lotId, productCreator: result.story[0]?.signer }, { data: lot.asset, createdBy: lot.story[0]?.signer }),
    ];
    result.problems.push(...problems.map((p) => `material lot ${lotId}: ${p}`));
    result.lot = { ...lot, lotId, problems, verified: problems.length === 0 };
  }
  return { ...result, verified: result.problems.length === 0 };
}
