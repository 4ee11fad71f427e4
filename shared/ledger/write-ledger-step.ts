// Use case: commit one domain event to the ledger, exactly once. The planned transaction is recorded before it is
// posted, so a retry after any crash re-posts the very same transaction (checked with GET first) instead of building
// a second one on top of the first. A step whose record this invocation created itself cannot have been posted
// before, so it is posted without the GET.
import type { LedgerEvent } from '../../events/ledger-events.js';
import { DependencyUnavailable } from '../errors.js';
import { assetKeyOf, designAssetKey, participantsOf, planStep } from './ledger-model.js';
import type { AssetState, CustodialKeys, LedgerBook, LedgerNetwork, PlannedStep, PlatformSigner } from './ports.js';
import { signTransaction } from './transaction.js';

export interface LedgerWriterDeps {
  platform: PlatformSigner;
  custody: CustodialKeys;
  network: LedgerNetwork;
  book: LedgerBook;
}

export type StepOutcome = { txId: string; outcome: 'committed' | 'already-committed' };

export async function writeLedgerStep(event: LedgerEvent, deps: LedgerWriterDeps): Promise<StepOutcome> {
  const loaded = await deps.book.load(event.eventId, assetKeysOf(event));
  if (loaded.step?.status === 'committed') return { txId: loaded.step.txId, outcome: 'already-committed' };
  let step: PlannedStep | undefined = loaded.step;
  let reservedNow = false;
  if (!step) {
    const planned = await plan(event, loaded.assets, deps);
    reservedNow = await deps.book.reserve(planned);
    const found = reservedNow ? planned : await deps.book.step(event.eventId);
    if (!found) throw new DependencyUnavailable(`The step record of ${event.eventId} vanished`);
    if (found.status === 'committed') return { txId: found.txId, outcome: 'already-committed' };
    step = found;
  }
  // Every POST follows its reservation, so a reservation made just now has never been posted: no need to ask.
  const onLedger = reservedNow ? undefined : await deps.network.getTransaction(step.tx.id);
  if (!onLedger) await deps.network.commit(step.tx);
  await deps.book.complete(step);
  return { txId: step.tx.id, outcome: onLedger ? 'already-committed' : 'committed' };
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
