// What anyone who scans a product's tag learns: is it authentic, and what is its story. The verdict rests on three
// checks that do not require trusting a database row: the Digital Link's signature (the platform's tag key), the NFC
// tag's SUN MAC with a counter never seen before, and the product's history on the ledger, re-verified here from the
// transactions themselves (ids recomputed, signatures checked, the chain of ownership followed). What is kept between
// requests, and why it is as good as a fresh read, is in verification-memo.ts.
import bs58 from 'bs58';
import { open, type DataKeys } from '../crypto/envelope.js';
import { Conflict, NotFound } from '../errors.js';
import { lotSearchKey } from '../ledger/ledger-model.js';
import { certificateOf, certificatesForProduct, claimsLot, lotLinkProblems, lotOf } from '../ledger/material-lot.js';
import type { PlatformSigner } from '../ledger/ports.js';
import { verifyEd25519Async } from '../ledger/transaction.js';
import { verifyHistory } from '../ledger/verify-history.js';
import { tagKeyContext } from '../orders/order-steps.js';
import { confirmDelivery } from '../orders/place-order.js';
import type { OrderStore, TaskCallbacks } from '../orders/ports.js';
import type { ProductLedger, TagStore } from './ports.js';
import { parseSun, sunMacValid } from './sun.js';
import { deepFreeze, type HistoryCheck, type IssuedTag, type VerificationMemo } from './verification-memo.js';

export type TagCheck = 'fresh' | 'replayed' | 'invalid' | 'not-presented';

export interface ProductVerification {
  verdict: 'authentic' | 'possible-clone' | 'not-authentic';
  reasons: string[];
  checks: { signature: boolean; tag: TagCheck; ledger: 'verified' | 'not-found' | 'invalid' };
  product: { productId: string; gtin: string; serial: string };
  ledger?: { assetId: string; currentOwner?: string; transactions: number };
  /** The material lot the product was printed from, and its ledger asset once a certificate of the lot is on the ledger. */
  materialLot?: { lotId: string; assetId?: string };
  /**
   * The product's memory, oldest first: the design's registration, then every step of the product, with the
   * certificates of its material lot (steps of the lot's own asset, `details.lotAssetId`) where they fall in time.
   */
  memory: { step: string; operation: string; txId: string; url: string; occurredAt?: string; owner: string; details: Record<string, unknown> }[];
  /** Only when the scan came with a bearer token: what it did to the order's delivery. */
  delivery?: DeliveryOnScan;
}

/** A signed-in scan's effect on the delivery. `confirmed`: this scan confirmed it; nothing else changes anything. */
export type DeliveryOnScan = { outcome: 'confirmed' | 'already-confirmed' } | { outcome: 'not-confirmed'; reason: string };

/** Who scanned: a user whose token verified, or `rejected` when a token came and did not verify. */
export type ScanSignIn = { userId: string } | 'rejected';

async function productAsset(productId: string, ledger: ProductLedger, memo: VerificationMemo) {
  const known = memo.assets.get(productId);
  if (known) return known;
  const found = (await ledger.searchAssets(productId)).find((a) => a.data?.productId === productId);
  if (!found) return undefined;
  const asset = { id: found.id, designAssetId: typeof found.data.design === 'string' ? found.data.design : undefined, materialLot: lotOf(found.data) };
  memo.assets.set(productId, asset);
  return asset;
}

/** The design's registration as memory steps, verified; problems when it does not verify (then nothing is kept). */
async function designMemory(id: string, ledger: ProductLedger, memo: VerificationMemo): Promise<{ memory: readonly MemoryStep[]; problems: string[] }> {
  const known = memo.designs.get(id);
  if (known) return { memory: known.memory, problems: [] };
  const design = await ledger.getTransaction(id);
  if (!design) return { memory: [], problems: [] };
  const d = verifyHistory(design.id, [design]);
  const memory = d.story.map((s) => ({ step: s.step, operation: s.operation, txId: s.txId, url: ledger.transactionUrl(s.txId), occurredAt: s.occurredAt, owner: s.owner, details: { ...s.details, ...(d.asset ?? {}) } }));
  if (!d.verified) return { memory, problems: [`the design's registration does not verify: ${d.problems.join('; ')}`] };
  memo.designs.set(id, { memory: deepFreeze(memory) });
  return { memory, problems: [] };
}

/** An asset's history, from the memo while its latest transaction is unchanged, else read and verified again. */
async function assetHistory(assetId: string, ledger: ProductLedger, memo: VerificationMemo): Promise<HistoryCheck> {
  const known = memo.histories.get(assetId);
  if (known && (await memo.lastTxReads.read(assetId, () => ledger.lastTransactionId(assetId))) === known.lastTxId) return { verified: true, history: known };
  return memo.historyReads.read(assetId, () => readHistory(assetId, ledger, memo));
}

async function readHistory(assetId: string, ledger: ProductLedger, memo: VerificationMemo): Promise<HistoryCheck> {
  const transactions = await ledger.listTransactions(assetId);
  const h = verifyHistory(assetId, transactions);
  const memory = h.story.map((s) => ({ step: s.step, operation: s.operation, txId: s.txId, url: ledger.transactionUrl(s.txId), occurredAt: s.occurredAt, owner: s.owner, details: s.operation === 'CREATE' ? { ...s.details, ...(h.asset ?? {}) } : s.details }));
  const asset = { assetId, currentOwner: h.currentOwner, transactions: h.story.length };
  const lastTxId = transactions.at(-1)?.id;
  if (!h.verified || !lastTxId) return { verified: false, problems: [`the ledger history does not verify: ${h.problems.join('; ')}`], memory, asset };
  const history = deepFreeze({ lastTxId, memory, asset, createdBy: h.story[0]?.signer });
  memo.histories.set(assetId, history);
  return { verified: true, history };
}

export type MemoryStep = ProductVerification['memory'][number];

type LotClaimant = { assetId: string; check: HistoryCheck };

/**
 * The assets that claim to be the lot, each with its history: the one already linked, else what a search finds. Read
 * alongside the product's history; which claimant is the lot depends on who created the product (`linkLot`).
 */
async function lotClaimants(lotId: string, ledger: ProductLedger, memo: VerificationMemo): Promise<LotClaimant[]> {
  const known = memo.lots.get(lotId);
  const ids = known ? [known] : (await memo.lotSearches.read(lotId, () => ledger.searchAssets(lotSearchKey(lotId)))).filter((a) => claimsLot(a.data, lotId)).map((a) => a.id);
  return Promise.all(ids.map(async (assetId) => ({ assetId, check: await assetHistory(assetId, ledger, memo) })));
}

/**
 * The lot's certificates as memory steps, from the claimant created by the product's own creator, verified; none while
 * no certificate of the lot is on the ledger. Claimants by anyone else are not the lot. A claimant whose history does
 * not verify shows no certificate (a certificate is only worth its signature); while no claimant links, that is
 * reported.
 */
function linkLot(lotId: string, productCreator: string | undefined, claimants: LotClaimant[], memo: VerificationMemo) {
  for (const c of claimants) {
    if (!c.check.verified) continue;
    const h = c.check.history;
    if (lotLinkProblems({ lotId, productCreator }, { data: h.memory[0]?.details, createdBy: h.createdBy }).length) continue;
    memo.lots.set(lotId, c.assetId);
    const steps = h.memory.flatMap((m) => {
      const certificate = certificateOf(m);
      return certificate ? [{ certificate, step: { ...m, details: { ...certificate, lotAssetId: c.assetId } } }] : [];
    });
    return { assetId: c.assetId, steps, problems: [] };
  }
  const problems = claimants.flatMap((c) => (c.check.verified ? [] : c.check.problems.map((p) => `material lot ${lotId} (asset ${c.assetId}): ${p}`)));
  return { assetId: undefined, steps: [], problems };
}

/** Two memories in one, each keeping its own order: a lot's step goes before the first step that happened after it. */
function mergeByTime(base: readonly MemoryStep[], inserted: readonly MemoryStep[]): MemoryStep[] {
  const time = (m: MemoryStep) => (m.occurredAt ? Date.parse(m.occurredAt) : Number.NEGATIVE_INFINITY);
  const out: MemoryStep[] = [];
  let i = 0;
  for (const m of base) {
    while (i < inserted.length && time(inserted[i]!) < time(m)) out.push(inserted[i++]!);
    out.push(m);
  }
  return [...out, ...inserted.slice(i)];
}

/**
 * A product's memory from the ledger, re-verified: the design's registration, then every step of the product, and the
 * certificates of its material lot from the lot's own asset (recorded before or after the print), each with the link
 * to its transaction. Public data only (ids, hashes, public keys). The lot is read beside the product, not after it.
 */
export async function productMemory(productId: string, ledger: ProductLedger, memo: VerificationMemo) {
  const found = await productAsset(productId, ledger, memo);
  if (!found) return { ledger: 'not-found' as const, problems: ['the product is not on the ledger (yet)'], memory: [] as MemoryStep[], asset: undefined, lot: undefined };
  const lotId = found.materialLot;
  const [history, design, claimants] = await Promise.all([
    assetHistory(found.id, ledger, memo),
    found.designAssetId ? designMemory(found.designAssetId, ledger, memo) : undefined,
    lotId ? lotClaimants(lotId, ledger, memo) : undefined,
  ]);
  const problems = history.verified ? [] : [...history.problems];
  if (design) problems.push(...design.problems);
  const own = history.verified ? history.history : history;
  let memory = [...(design?.memory ?? []), ...own.memory];
  let lot: { lotId: string; assetId?: string } | undefined;
  if (lotId && claimants) {
    const linked = linkLot(lotId, history.verified ? history.history.createdBy : undefined, claimants, memo);
    problems.push(...linked.problems);
    const printed = own.memory.find((m) => m.step === 'product.printed');
    memory = mergeByTime(memory, certificatesForProduct(printed?.details.materialCertificates, linked.steps).map((c) => c.step));
    lot = { lotId, ...(linked.assetId ? { assetId: linked.assetId } : {}) };
  }
  return {
    ledger: history.verified ? ('verified' as const) : ('invalid' as const),
    problems,
    memory,
    asset: own.asset,
    lot,
  };
}

export interface VerifyDeps {
  tags: TagStore;
  signer: PlatformSigner;
  dataKeys: DataKeys;
  ledger: ProductLedger;
  memo: VerificationMemo;
  /** For signed-in scans only: the order the tag belongs to, and its waiting delivery step. */
  orders: OrderStore;
  callbacks: TaskCallbacks;
}

/** The tag as issued, from the memo or else from the store (an unknown tag is looked up again every time). */
async function issuedTag(gtin: string, serial: string, deps: VerifyDeps): Promise<IssuedTag | undefined> {
  const key = `${gtin}/${serial}`;
  const known = deps.memo.tags.get(key);
  if (known) return known;
  const record = await deps.tags.get(gtin, serial);
  if (!record) return undefined;
  const { lastCounter: _counter, ...tag } = record;
  deps.memo.tags.set(key, Object.freeze(tag));
  return tag;
}

/** The Digital Link's signature, checked on every request: it is the request's own. */
async function signatureValid(input: { gtin: string; serial: string; query: Record<string, string | undefined> }, tag: IssuedTag, deps: VerifyDeps): Promise<boolean> {
  const sig = Buffer.from(input.query.s ?? '', 'base64url');
  if (sig.length !== 64) return false;
  const path = `/01/${input.gtin}/21/${encodeURIComponent(input.serial)}`;
  return verifyEd25519Async(bs58.decode(await deps.signer.publicKey()), new TextEncoder().encode(`${path}|${tag.productId}`), sig);
}

/** A tap's MAC under the tag's own key, then its counter against the highest one accepted so far (in the store). */
async function tapCheck(sun: ReturnType<typeof parseSun>, tag: IssuedTag, deps: VerifyDeps): Promise<TagCheck> {
  if (sun === undefined) return 'not-presented';
  if (sun === 'malformed') return 'invalid';
  const key = await open(Buffer.from(tag.sealedKey, 'base64'), deps.dataKeys, tagKeyContext(tag.gtin, tag.serial));
  const valid = sun.uid === tag.uid && sunMacValid(key, sun);
  key.fill(0);
  // Only a valid tap may move the counter: otherwise anyone could burn counters with forged URLs.
  if (!valid) return 'invalid';
  return (await deps.tags.advanceCounter(tag.gtin, tag.serial, sun.counter)) ? 'fresh' : 'replayed';
}

export async function verifyProduct(input: { gtin: string; serial: string; query: Record<string, string | undefined>; signIn?: ScanSignIn }, deps: VerifyDeps): Promise<ProductVerification> {
  const tag = await issuedTag(input.gtin, input.serial, deps);
  if (!tag) throw new NotFound(`No product carries GTIN ${input.gtin} with serial ${input.serial}`);
  // The three checks are independent: they run together.
  const sun = parseSun(input.query);
  const [signature, tagCheck, history] = await Promise.all([signatureValid(input, tag, deps), tapCheck(sun, tag, deps), productMemory(tag.productId, deps.ledger, deps.memo)]);

  const reasons: string[] = [];
  if (!signature) reasons.push('the Digital Link signature is missing or does not verify');
  if (tagCheck === 'invalid') reasons.push('the NFC tag’s message is not valid for this product');
  if (tagCheck === 'replayed') reasons.push(`the NFC read counter ${sun && sun !== 'malformed' ? sun.counter : ''} was seen before: a copied URL or a cloned tag`.replace('  ', ' '));
  if (tagCheck === 'not-presented') reasons.push('no NFC tap: only the printed code was checked');
  const ledgerCheck = history.ledger;
  reasons.push(...history.problems);

  const verdict = tagCheck === 'replayed' ? 'possible-clone' : signature && ledgerCheck === 'verified' && tagCheck !== 'invalid' ? 'authentic' : 'not-authentic';
  const verification: ProductVerification = {
    verdict,
    reasons,
    checks: { signature, tag: tagCheck, ledger: ledgerCheck },
    product: { productId: tag.productId, gtin: tag.gtin, serial: tag.serial },
    ledger: history.asset,
    ...(history.lot ? { materialLot: history.lot } : {}),
    memory: history.memory,
  };
  if (input.signIn) verification.delivery = await deliveryOnScan(input.signIn, tag, verification, deps);
  return verification;
}

const notConfirmed = (reason: string): DeliveryOnScan => ({ outcome: 'not-confirmed', reason });

/**
 * The customer's first signed-in tap confirms the delivery (recorded as `customer-scan`), through the same use case
 * as the app's button: only a fresh, valid tap of an authentic product, by the account that ordered it, while the
 * order awaits delivery. A token that does not verify confirms nothing and the verdict is answered as for anyone:
 * the scan is public, and a bad token only loses the sign-in. Later taps find the delivery already confirmed.
 */
async function deliveryOnScan(signIn: ScanSignIn, tag: IssuedTag, v: ProductVerification, deps: VerifyDeps): Promise<DeliveryOnScan> {
  if (signIn === 'rejected') return notConfirmed('the sign-in token is not valid (altered, expired or not from this platform); sign in again to confirm a delivery');
  if (v.checks.tag === 'not-presented') return notConfirmed('a delivery is confirmed by tapping the product’s NFC tag, not by its printed code');
  if (v.checks.tag !== 'fresh') return notConfirmed('this is not a fresh tap of the product’s NFC tag');
  if (v.verdict !== 'authentic') return notConfirmed('the product does not verify as authentic');
  const order = await deps.orders.get(tag.orderId);
  if (!order || order.customerId !== signIn.userId) return notConfirmed('the signed-in account did not order this product');
  if (order.status === 'delivered' || order.status === 'completed' || order.deliveryConfirmedBy) return { outcome: 'already-confirmed' };
  if (order.status !== 'shipped') return notConfirmed(`the order is ${order.status}; a delivery is confirmed once it has shipped`);
  try {
    await confirmDelivery({ orderId: order.orderId, by: { kind: 'customer', customerId: signIn.userId } }, deps);
  } catch (err) {
    // The order moved on between the read above and the confirmation (refunded, say): nothing was confirmed.
    if (err instanceof Conflict) return notConfirmed(err.message);
    throw err;
  }
  return { outcome: 'confirmed' };
}
