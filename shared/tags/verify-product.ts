// What anyone who scans a product's tag learns: is it authentic, and what is its story. The verdict rests on three
// checks that do not require trusting a database row: the Digital Link's signature (the platform's tag key), the NFC
// tag's SUN MAC with a counter never seen before, and the product's history on the ledger, re-verified here from the
// transactions themselves (ids recomputed, signatures checked, the chain of ownership followed).
import bs58 from 'bs58';
import { open, type DataKeys } from '../crypto/envelope.js';
import { NotFound } from '../errors.js';
import type { PlatformSigner } from '../ledger/ports.js';
import { verifyEd25519, type Transaction } from '../ledger/transaction.js';
import { verifyHistory } from '../ledger/verify-history.js';
import { tagKeyContext } from '../orders/order-steps.js';
import type { ProductLedger, TagStore } from './ports.js';
import { parseSun, sunMacValid } from './sun.js';

export type TagCheck = 'fresh' | 'replayed' | 'invalid' | 'not-presented';

export interface ProductVerification {
  verdict: 'authentic' | 'possible-clone' | 'not-authentic';
  reasons: string[];
  checks: { signature: boolean; tag: TagCheck; ledger: 'verified' | 'not-found' | 'invalid' };
  product: { productId: string; gtin: string; serial: string };
  ledger?: { assetId: string; currentOwner?: string; transactions: number };
  /** The product's memory, oldest first: the design's registration, then every step of the product. */
  memory: { step: string; operation: string; txId: string; url: string; occurredAt?: string; owner: string; details: Record<string, unknown> }[];
}

// What never changes once on the ledger is looked up once per process: which asset a product is (its CREATE id) and
// the design's registration. Everything that can change (later steps, the verdict) is read and checked every time.
const assets = new Map<string, { id: string; designAssetId?: string }>();
const designs = new Map<string, Transaction & { id: string }>();

async function productAsset(productId: string, ledger: ProductLedger) {
  const known = assets.get(productId);
  if (known) return known;
  const found = (await ledger.searchAssets(productId)).find((a) => a.data?.productId === productId);
  if (!found) return undefined;
  const asset = { id: found.id, designAssetId: typeof found.data.design === 'string' ? found.data.design : undefined };
  if (assets.size >= 100_000) assets.clear();
  assets.set(productId, asset);
  return asset;
}

async function designTransaction(id: string, ledger: ProductLedger) {
  const known = designs.get(id);
  if (known) return known;
  const tx = await ledger.getTransaction(id);
  if (tx) {
    if (designs.size >= 10_000) designs.clear();
    designs.set(id, tx);
  }
  return tx;
}

export type MemoryStep = ProductVerification['memory'][number];

/**
 * A product's memory from the ledger, re-verified: the design's registration, then every step of the product, each
 * with the link to its transaction. Public data only (ids, hashes, public keys).
 */
export async function productMemory(productId: string, ledger: ProductLedger) {
  const problems: string[] = [];
  const memory: MemoryStep[] = [];
  const found = await productAsset(productId, ledger);
  if (!found) return { ledger: 'not-found' as const, problems: ['the product is not on the ledger (yet)'], memory, asset: undefined };
  const [transactions, design] = await Promise.all([ledger.listTransactions(found.id), found.designAssetId ? designTransaction(found.designAssetId, ledger) : undefined]);
  const history = verifyHistory(found.id, transactions);
  if (!history.verified) problems.push(`the ledger history does not verify: ${history.problems.join('; ')}`);
  if (design) {
    const d = verifyHistory(design.id, [design]);
    if (!d.verified) problems.push(`the design's registration does not verify: ${d.problems.join('; ')}`);
    for (const s of d.story) memory.push({ step: s.step, operation: s.operation, txId: s.txId, url: ledger.transactionUrl(s.txId), occurredAt: s.occurredAt, owner: s.owner, details: { ...s.details, ...(d.asset ?? {}) } });
  }
  for (const s of history.story) memory.push({ step: s.step, operation: s.operation, txId: s.txId, url: ledger.transactionUrl(s.txId), occurredAt: s.occurredAt, owner: s.owner, details: s.operation === 'CREATE' ? { ...s.details, ...(history.asset ?? {}) } : s.details });
  return { ledger: history.verified ? ('verified' as const) : ('invalid' as const), problems, memory, asset: { assetId: found.id, currentOwner: history.currentOwner, transactions: history.story.length } };
}

export async function verifyProduct(
  input: { gtin: string; serial: string; query: Record<string, string | undefined> },
  deps: { tags: TagStore; signer: PlatformSigner; dataKeys: DataKeys; ledger: ProductLedger },
): Promise<ProductVerification> {
  const tag = await deps.tags.get(input.gtin, input.serial);
  if (!tag) throw new NotFound(`No product carries GTIN ${input.gtin} with serial ${input.serial}`);
  const reasons: string[] = [];

  const path = `/01/${input.gtin}/21/${encodeURIComponent(input.serial)}`;
  const sig = Buffer.from(input.query.s ?? '', 'base64url');
  const signature = sig.length === 64 && verifyEd25519(bs58.decode(await deps.signer.publicKey()), new TextEncoder().encode(`${path}|${tag.productId}`), sig);
  if (!signature) reasons.push('the Digital Link signature is missing or does not verify');

  let tagCheck: TagCheck = 'not-presented';
  const sun = parseSun(input.query);
  if (sun === 'malformed') tagCheck = 'invalid';
  else if (sun) {
    const key = await open(Buffer.from(tag.sealedKey, 'base64'), deps.dataKeys, tagKeyContext(tag.gtin, tag.serial));
    const valid = sun.uid === tag.uid && sunMacValid(key, sun);
    key.fill(0);
    // Only a valid tap may move the counter: otherwise anyone could burn counters with forged URLs.
    tagCheck = !valid ? 'invalid' : (await deps.tags.advanceCounter(tag.gtin, tag.serial, sun.counter)) ? 'fresh' : 'replayed';
  }
  if (tagCheck === 'invalid') reasons.push('the NFC tag’s message is not valid for this product');
  if (tagCheck === 'replayed') reasons.push(`the NFC read counter ${sun && sun !== 'malformed' ? sun.counter : ''} was seen before: a copied URL or a cloned tag`.replace('  ', ' '));
  if (tagCheck === 'not-presented') reasons.push('no NFC tap: only the printed code was checked');

  const history = await productMemory(tag.productId, deps.ledger);
  const ledgerCheck = history.ledger;
  reasons.push(...history.problems);
  const memory = history.memory;
  const ledgerSummary = history.asset;

  const verdict = tagCheck === 'replayed' ? 'possible-clone' : signature && ledgerCheck === 'verified' && tagCheck !== 'invalid' ? 'authentic' : 'not-authentic';
  return { verdict, reasons, checks: { signature, tag: tagCheck, ledger: ledgerCheck }, product: { productId: tag.productId, gtin: tag.gtin, serial: tag.serial }, ledger: ledgerSummary, memory };
}
