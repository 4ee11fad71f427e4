// Use case: commit one domain event to the ledger, exactly once.
// A TRANSFER is posted without being recorded first: it spends output 0 of the asset's tip, and the ledger never lets
// an output be spent twice, so one step can never reach the ledger twice. What a crash between the POST and the
// bookkeeping leaves is a book one step behind the ledger; the retry plans again from the same tip. The same event
// gives the same transaction (Ed25519 is deterministic), which the POST finds committed. An event re-published under
// the same id with other content gives another transaction, which the ledger refuses as a double spend: the spender
// carries the event's id in its metadata, so it is this step's first attempt, and the book adopts it.
// A CREATE spends nothing, so nothing on the ledger would stop a second one with other content (a duplicate asset): it
// is recorded before it is posted, and a retry re-posts the very same transaction (asking with GET first). A pending
// record, left by a CREATE or by a writer from before TRANSFERs went unrecorded, is honoured that way too.
import type { LedgerEvent } from '../../events/ledger-events.js';
import { DependencyUnavailable } from '../errors.js';
import { assetKeyOf, designAssetKey, participantsOf, planStep } from './ledger-model.js';
import { DoubleSpend, type AssetState, type CustodialKeys, type LedgerBook, type LedgerNetwork, type PlannedStep, type PlatformSigner, type StepRecord } from './ports.js';
import { signTransaction, type Transaction } from './transaction.js';

export interface LedgerWriterDeps {
  platform: PlatformSigner;
  custody: CustodialKeys;
  network: LedgerNetwork;
  book: LedgerBook;
}

export type StepOutcome = { txId: string; outcome: 'committed' | 'already-committed' };

export async function writeLedgerStep(event: LedgerEvent, deps: LedgerWriterDeps): Promise<StepOutcome> {
  const loaded = await deps.book.load(event.eventId, assetKeysOf(event));
  if (loaded.step) return finishRecorded(loaded.step, deps);
  const planned = await plan(event, loaded.assets, deps);
  if (planned.previousTip !== undefined) return postTransfer(planned, planned.previousTip, deps);
  if (await deps.book.reserve(planned)) {
    // Every POST of a CREATE follows its reservation, so one made just now has never been posted: no need to ask.
    const outcome = await deps.network.commit(planned.tx);
    await deps.book.complete(planned);
    return { txId: planned.tx.id, outcome };
  }
  // Another delivery of the event reserved it between our read and our reservation.
  const step = await deps.book.step(event.eventId);
  if (!step) throw new DependencyUnavailable(`The step record of ${event.eventId} vanished`);
  return finishRecorded(step, deps);
}

/** A step the book already holds: done if committed, else its recorded transaction, posted unless it landed. */
async function finishRecorded(step: StepRecord, deps: LedgerWriterDeps): Promise<StepOutcome> {
  if (step.status === 'committed') return { txId: step.txId, outcome: 'already-committed' };
  const onLedger = await deps.network.getTransaction(step.tx.id);
  const outcome = onLedger ? 'already-committed' : await deps.network.commit(step.tx);
  await deps.book.complete(step);
  return { txId: step.tx.id, outcome };
}

async function postTransfer(planned: PlannedStep, previousTip: string, deps: LedgerWriterDeps): Promise<StepOutcome> {
  let outcome: StepOutcome['outcome'];
  try {
    outcome = await deps.network.commit(planned.tx);
  } catch (err) {
    if (!(err instanceof DoubleSpend)) throw err;
    const spender = await deps.network.spenderOf(planned.asset.assetId, previousTip, 0);
    const earlier = spender && asEarlierAttempt(planned, spender);
    // Spent by another event: the book is behind the ledger in a way no retry of this step can mend.
    if (!earlier) throw err;
    await deps.book.complete(earlier);
    return { txId: earlier.tx.id, outcome: 'already-committed' };
  }
  await deps.book.complete(planned);
  return { txId: planned.tx.id, outcome };
}

/**
 * The step as an earlier attempt wrote it, when the transaction that spent its tip carries its event id; the first
 * write wins over later content, as a recorded plan did. Undefined for anything else.
 */
function asEarlierAttempt(planned: PlannedStep, spender: Transaction & { id: string }): PlannedStep | undefined {
  const owners = spender.outputs[0]?.public_keys;
  if (spender.metadata?.eventId !== planned.eventId || spender.outputs.length !== 1 || owners?.length !== 1) return undefined;
  return { ...planned, tx: spender, asset: { ...planned.asset, tipTxId: spender.id, owner: owners[0]! } };
}

/** The assets a step reads: its own, and for a printed product the design it was printed from. */
function assetKeysOf(event: LedgerEvent): string[] {
  return event.type === 'product.printed' ? [assetKeyOf(event), designAssetKey(event.designId)] : [assetKeyOf(event)];
}

async function plan(event: LedgerEvent, tips: Map<string, AssetState>, deps: LedgerWriterDeps): Promise<PlannedStep> {
  const platformKey = await deps.platform.publicKey();
  const keys: Record<string, string> = {};
  for (const p of participantsOf(event)) keys[p] = await deps.custody.publicKeyOf(p);
  const asset = tips.get(assetKeyOf(event));
  const designAsset = event.type === 'product.printed' ? tips.get(designAssetKey(event.designId)) : undefined;
  if (event.type === 'product.printed' && !designAsset) {
    // Designs and products are different FIFO groups; the design's step may simply not have landed yet.
    throw new DependencyUnavailable(`Design ${event.designId} is not on the ledger yet; retrying later`);
  }
  const p = planStep(event, { platformKey, asset, designAsset, keys });
  const tx = await signTransaction(p.tx, (_owner, digest) => (p.signer === 'platform' ? deps.platform.sign(digest) : deps.custody.sign(p.signer, digest)));
  const assetId = tx.operation === 'CREATE' ? tx.id : asset!.assetId;
  return { eventId: event.eventId, status: 'pending', tx, asset: { assetKey: p.assetKey, assetId, tipTxId: tx.id, owner: p.newOwner }, previousTip: p.previousTip };
}
