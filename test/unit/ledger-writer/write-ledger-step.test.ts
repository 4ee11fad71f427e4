import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import { Conflict, DependencyUnavailable, RuleViolation } from '../../../shared/errors.js';
import { DoubleSpend, type PlannedStep } from '../../../shared/ledger/ports.js';
import { canonicalJson, transactionId } from '../../../shared/ledger/transaction.js';
import { designAssetKey, lotAssetKey, lotSearchKey, participant, planStep, productAssetKey } from '../../../shared/ledger/ledger-model.js';
import { verifyHistory } from '../../../shared/ledger/verify-history.js';
import { writeLedgerStep } from '../../../shared/ledger/write-ledger-step.js';
import { FakeBook, FakeCustody, FakeNetwork, FakePlatformSigner } from '../../support/fakes/ledger.js';

const h = (c: string) => c.repeat(64);
const at = '2026-11-24T10:00:00.000Z';
const designRegistered: LedgerEvent = { type: 'design.registered', version: 1, eventId: 'design.registered:d1', occurredAt: at, assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 };
const story: LedgerEvent[] = [
  { type: 'product.printed', version: 1, eventId: 'printed:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', designId: 'd1', orderId: 'o1', printerId: 'printer-7', materialLot: 'PLA-2026-11', printParamsHash: h('c'), gcodeHash: h('d') },
  { type: 'product.tagged', version: 1, eventId: 'tagged:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', gtin: '09506000134352', serial: 'SN0001', tagKeyHash: h('e') },
  { type: 'product.shipped', version: 1, eventId: 'shipped:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', carrierId: 'carrier-1', trackingHash: h('f') },
  { type: 'product.delivered', version: 1, eventId: 'delivered:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', customerId: 'bob', confirmedBy: 'customer-scan' },
  { type: 'product.ownershipTransferred', version: 1, eventId: 'resold:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', fromOwnerId: 'bob', toOwnerId: 'carol' },
];

describe('the ledger writer', () => {
  let deps: { platform: FakePlatformSigner; custody: FakeCustody; network: FakeNetwork; book: FakeBook };
  beforeEach(() => {
    deps = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new FakeNetwork(), book: new FakeBook() };
  });

  it('registers a design as a CREATE signed by the platform and owned by the designer’s key, with no personal data', async () => {
    const { txId } = await writeLedgerStep(designRegistered, deps);
    const tx = deps.network.txs.get(txId)!;
    expect(tx.operation).toBe('CREATE');
    expect(transactionId(tx)).toBe(txId);
    const designerKey = await deps.custody.publicKeyOf(participant.designer('alice'));
    expect(tx.asset).toEqual({ data: { dpm: 'design', v: 1, designId: 'd1', fingerprint: h('a'), licenseTermsHash: h('b'), designerKey } });
    expect(tx.outputs[0]!.public_keys).toEqual([designerKey]);
    expect(tx.inputs[0]!.owners_before).toEqual([await deps.platform.publicKey()]);
    expect(JSON.stringify(tx)).not.toContain('alice');
  });

  it('writes a product’s whole story as one CREATE and one TRANSFER per step, ending with the owner’s key', async () => {
    await writeLedgerStep(designRegistered, deps);
    const ids = [];
    for (const e of story) ids.push((await writeLedgerStep(e, deps)).txId);
    const product = deps.book.assets.get(productAssetKey('p1'))!;
    expect(product.assetId).toBe(ids[0]);
    const history = [...deps.network.txs.values()].filter((t) => t.id === product.assetId || ('id' in t.asset && t.asset.id === product.assetId));
    const v = verifyHistory(product.assetId, history);
    expect(v.problems).toEqual([]);
    expect(v.story.map((s) => s.step)).toEqual(story.map((e) => e.type));
    expect(v.currentOwner).toBe(await deps.custody.publicKeyOf(participant.customer('carol')));
    expect(v.asset).toMatchObject({ dpm: 'product', design: deps.book.assets.get(designAssetKey('d1'))!.assetId, printerKey: await deps.custody.publicKeyOf(participant.printer('printer-7')) });
    // The resale was signed by the previous owner's custodial key, not by the platform.
    expect(v.story.at(-1)!.signer).toBe(await deps.custody.publicKeyOf(participant.customer('bob')));
  });

  it('never writes a step twice: a retried event finds its transaction', async () => {
    const first = await writeLedgerStep(designRegistered, deps);
    const again = await writeLedgerStep(designRegistered, deps);
    expect(again).toEqual({ txId: first.txId, outcome: 'already-committed' });
    expect(deps.network.posts).toBe(1);
  });

  it('after a failed POST, re-posts the very same transaction', async () => {
    deps.network.failNextCommits = 1;
    await expect(writeLedgerStep(designRegistered, deps)).rejects.toThrow('network down');
    const planned = deps.book.steps.get(designRegistered.eventId) as PlannedStep;
    expect(planned.status).toBe('pending');
    const retry = await writeLedgerStep(designRegistered, deps);
    expect(retry).toEqual({ txId: planned.tx.id, outcome: 'committed' });
    expect(deps.network.txs.size).toBe(1);
  });

  it('after a crash between POST and bookkeeping of a CREATE, finds the transaction with GET and does not post again', async () => {
    await writeLedgerStep(designRegistered, deps);
    deps.book.failNextComplete = 1;
    await expect(writeLedgerStep(story[0]!, deps)).rejects.toThrow('crashed');
    const posts = deps.network.posts;
    const gets = deps.network.gets;
    const retry = await writeLedgerStep(story[0]!, deps);
    expect(retry.outcome).toBe('already-committed');
    expect(deps.network.gets).toBe(gets + 1);
    expect(deps.network.posts).toBe(posts);
    expect(deps.book.assets.get(productAssetKey('p1'))!.tipTxId).toBe(retry.txId);
  });

  it('after a crash between POST and bookkeeping of a TRANSFER, the same event plans the same transaction, which the ledger already holds', async () => {
    await writeLedgerStep(designRegistered, deps);
    await writeLedgerStep(story[0]!, deps);
    deps.book.failNextComplete = 1;
    await expect(writeLedgerStep(story[1]!, deps)).rejects.toThrow('crashed');
    const onLedger = deps.network.txs.size;
    const retry = await writeLedgerStep(story[1]!, deps);
    expect(retry.outcome).toBe('already-committed');
    expect(deps.network.txs.size).toBe(onLedger);
    expect(deps.network.txs.get(retry.txId)!.metadata).toMatchObject({ eventId: 'tagged:p1' });
    expect(deps.book.assets.get(productAssetKey('p1'))!.tipTxId).toBe(retry.txId);
    expect(deps.book.steps.get('tagged:p1')).toEqual({ eventId: 'tagged:p1', status: 'committed', txId: retry.txId });
    expect(deps.network.spenderLookups).toBe(0);
  });

  it('after a crash between POST and bookkeeping, adopts the transaction an event re-published with other content wrote first', async () => {
    await writeLedgerStep(designRegistered, deps);
    for (const e of story.slice(0, 4)) await writeLedgerStep(e, deps);
    const resale = story[4] as Extract<LedgerEvent, { type: 'product.ownershipTransferred' }>;
    deps.book.failNextComplete = 1;
    await expect(writeLedgerStep(resale, deps)).rejects.toThrow('crashed');
    const first = [...deps.network.txs.values()].find((t) => t.metadata?.eventId === resale.eventId)!;
    const onLedger = deps.network.txs.size;
    // The same event id with another time and, as a publisher's bug might have it, another buyer: the first write wins.
    const republished = { ...resale, occurredAt: '2026-11-24T10:05:00.000Z', toOwnerId: 'dave' };
    const retry = await writeLedgerStep(republished, deps);
    expect(retry).toEqual({ txId: first.id, outcome: 'already-committed' });
    expect(deps.network.txs.size).toBe(onLedger);
    expect(deps.network.spenderLookups).toBe(1);
    const carol = await deps.custody.publicKeyOf(participant.customer('carol'));
    expect(deps.book.assets.get(productAssetKey('p1'))).toMatchObject({ tipTxId: first.id, owner: carol });
    expect(deps.book.steps.get(resale.eventId)).toEqual({ eventId: resale.eventId, status: 'committed', txId: first.id });
    // The book is whole again: the next delivery of the event is answered from it, and the asset moves on from there.
    expect(await writeLedgerStep(republished, deps)).toEqual({ txId: first.id, outcome: 'already-committed' });
    const onward: LedgerEvent = { ...resale, eventId: 'resold-again:p1', fromOwnerId: 'carol', toOwnerId: 'erin' };
    expect((await writeLedgerStep(onward, deps)).outcome).toBe('committed');
  });

  it('refuses as a conflict a step whose tip another event spent, and leaves the book as it was', async () => {
    await writeLedgerStep(designRegistered, deps);
    await writeLedgerStep(story[0]!, deps);
    const printedTip = deps.book.assets.get(productAssetKey('p1'))!;
    deps.book.failNextComplete = 1;
    await expect(writeLedgerStep(story[1]!, deps)).rejects.toThrow('crashed');
    const onLedger = deps.network.txs.size;
    const err = await writeLedgerStep(story[2]!, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoubleSpend);
    expect(err).toBeInstanceOf(Conflict);
    expect(deps.network.spenderLookups).toBe(1);
    expect(deps.network.txs.size).toBe(onLedger);
    expect(deps.book.assets.get(productAssetKey('p1'))).toEqual(printedTip);
    expect(deps.book.steps.has('shipped:p1')).toBe(false);
  });

  it('posts a TRANSFER without recording it first: one read of the book before the POST, one write after', async () => {
    await writeLedgerStep(designRegistered, deps);
    await writeLedgerStep(story[0]!, deps);
    const calls: string[] = [];
    const book = deps.book;
    const { load, step, reserve, complete } = { load: book.load.bind(book), step: book.step.bind(book), reserve: book.reserve.bind(book), complete: book.complete.bind(book) };
    vi.spyOn(book, 'load').mockImplementation((...a) => (calls.push('load'), load(...a)));
    vi.spyOn(book, 'step').mockImplementation((...a) => (calls.push('step'), step(...a)));
    vi.spyOn(book, 'reserve').mockImplementation((...a) => (calls.push('reserve'), reserve(...a)));
    vi.spyOn(book, 'complete').mockImplementation((...a) => (calls.push('complete'), complete(...a)));
    const commit = deps.network.commit.bind(deps.network);
    vi.spyOn(deps.network, 'commit').mockImplementation((tx) => (calls.push('POST'), commit(tx)));
    for (const e of story.slice(1)) {
      calls.length = 0;
      expect((await writeLedgerStep(e, deps)).outcome).toBe('committed');
      expect(calls).toEqual(['load', 'POST', 'complete']);
    }
    expect(deps.network.gets).toBe(0);
  });

  it('records a CREATE before posting it, as the ledger would take a second one with other content', async () => {
    const calls: string[] = [];
    const reserve = deps.book.reserve.bind(deps.book);
    vi.spyOn(deps.book, 'reserve').mockImplementation((planned) => (calls.push(`reserve ${planned.tx.operation} ${planned.tx.id}`), reserve(planned)));
    const commit = deps.network.commit.bind(deps.network);
    vi.spyOn(deps.network, 'commit').mockImplementation((tx) => (calls.push(`POST ${tx.id}`), commit(tx)));
    const { txId } = await writeLedgerStep(designRegistered, deps);
    expect(calls).toEqual([`reserve CREATE ${txId}`, `POST ${txId}`]);
    calls.length = 0;
    const printed = await writeLedgerStep(story[0]!, deps);
    expect(calls).toEqual([`reserve CREATE ${printed.txId}`, `POST ${printed.txId}`]);
  });

  it('honours a pending TRANSFER record an earlier writer left: it asks the ledger, then posts the recorded transaction', async () => {
    await writeLedgerStep(designRegistered, deps);
    await writeLedgerStep(story[0]!, deps);
    const tip = deps.book.assets.get(productAssetKey('p1'))!;
    // What a writer that still reserved TRANSFERs recorded before its POST failed.
    let recorded: PlannedStep | undefined;
    vi.spyOn(deps.network, 'commit').mockImplementationOnce(async (tx) => {
      recorded = { eventId: story[1]!.eventId, status: 'pending', tx, asset: { ...tip, tipTxId: tx.id }, previousTip: tip.tipTxId };
      throw new Error('network down');
    });
    await expect(writeLedgerStep(story[1]!, deps)).rejects.toThrow('network down');
    deps.book.steps.set(story[1]!.eventId, recorded!);
    const gets = deps.network.gets;
    // Even with other content the recorded transaction is the step.
    const retry = await writeLedgerStep({ ...story[1]!, occurredAt: '2026-11-24T11:00:00.000Z' }, deps);
    expect(retry).toEqual({ txId: recorded!.tx.id, outcome: 'committed' });
    expect(deps.network.gets).toBe(gets + 1);
    expect(deps.network.txs.has(recorded!.tx.id)).toBe(true);
    expect(deps.book.assets.get(productAssetKey('p1'))!.tipTxId).toBe(recorded!.tx.id);
    // And a pending record whose transaction did land is completed without another POST.
    deps.book.steps.set(story[1]!.eventId, recorded!);
    deps.book.assets.set(productAssetKey('p1'), tip);
    const posts = deps.network.posts;
    expect(await writeLedgerStep(story[1]!, deps)).toEqual({ txId: recorded!.tx.id, outcome: 'already-committed' });
    expect(deps.network.posts).toBe(posts);
    expect(deps.book.assets.get(productAssetKey('p1'))!.tipTxId).toBe(recorded!.tx.id);
  });

  it('posts every fresh step without asking the network first, after one read of the book, and reserves only the CREATEs', async () => {
    const step = vi.spyOn(deps.book, 'step');
    const reserve = vi.spyOn(deps.book, 'reserve');
    await writeLedgerStep(designRegistered, deps);
    for (const e of story) expect((await writeLedgerStep(e, deps)).outcome).toBe('committed');
    expect(deps.network.gets).toBe(0);
    expect(deps.network.posts).toBe(1 + story.length);
    expect(deps.book.loads).toBe(1 + story.length);
    expect(step).not.toHaveBeenCalled();
    expect(reserve.mock.calls.map(([planned]) => planned.eventId)).toEqual([designRegistered.eventId, story[0]!.eventId]);
  });

  it('reads the step and the tips it builds on together: the printed product’s own key and its design’s', async () => {
    await writeLedgerStep(designRegistered, deps);
    const load = vi.spyOn(deps.book, 'load');
    await writeLedgerStep(story[0]!, deps);
    expect(load).toHaveBeenCalledExactlyOnceWith('printed:p1', [productAssetKey('p1'), designAssetKey('d1')]);
  });

  it('asks the network before re-posting a step whose record it found (a retry), and posts it once', async () => {
    deps.network.failNextCommits = 1;
    await expect(writeLedgerStep(designRegistered, deps)).rejects.toThrow('network down');
    expect(deps.network.gets).toBe(0);
    await writeLedgerStep(designRegistered, deps);
    expect(deps.network.gets).toBe(1);
    expect(deps.network.txs.size).toBe(1);
  });

  it('asks the network when another writer reserved the step first, and does not post it again', async () => {
    // A duplicate delivery of the same event: the other writer reserves and posts between our read and our reserve,
    // then dies before its bookkeeping.
    const reserve = deps.book.reserve.bind(deps.book);
    deps.book.reserve = async (planned) => {
      await reserve(planned);
      await deps.network.commit(planned.tx);
      return reserve(planned);
    };
    const out = await writeLedgerStep(designRegistered, deps);
    expect(out.outcome).toBe('already-committed');
    expect(deps.network.gets).toBe(1);
    expect(deps.network.posts).toBe(1);
    expect(deps.book.steps.get(designRegistered.eventId)!.status).toBe('committed');
  });

  it('refuses a printed product while its design is not on the ledger, and reserves nothing', async () => {
    await writeLedgerStep({ ...designRegistered, eventId: 'design.registered:d2', assetKey: 'd2', designId: 'd2' }, deps);
    await expect(writeLedgerStep(story[0]!, deps)).rejects.toThrow('Design d1 is not on the ledger yet');
    expect(deps.book.steps.has('printed:p1')).toBe(false);
    expect(deps.network.posts).toBe(1);
  });

  it('waits for the design before the product, and refuses steps that no longer apply', async () => {
    await expect(writeLedgerStep(story[0]!, deps)).rejects.toBeInstanceOf(DependencyUnavailable);
    await writeLedgerStep(designRegistered, deps);
    await expect(writeLedgerStep(story[1]!, deps)).rejects.toBeInstanceOf(RuleViolation);
    for (const e of story.slice(0, 4)) await writeLedgerStep(e, deps);
    await expect(writeLedgerStep({ ...(story[2] as Extract<LedgerEvent, { type: 'product.shipped' }>), eventId: 'shipped-again:p1' }, deps)).rejects.toThrow('left the platform');
    await expect(writeLedgerStep({ ...(story[4] as Extract<LedgerEvent, { type: 'product.ownershipTransferred' }>), eventId: 'x', fromOwnerId: 'mallory' }, deps)).rejects.toThrow('not owned by the transferring customer');
  });

  it('collects a lot’s certificates as one chain held by the platform: the first creates the lot, each later one is a TRANSFER', async () => {
    const certified = (n: number): LedgerEvent => ({ type: 'material.certified', version: 1, eventId: `material.certified:c${n}`, occurredAt: at, assetKey: lotAssetKey('PLA-LOT-1'), lotId: 'PLA-LOT-1', certificateId: `COA-${n}`, issuerPartnerId: 'supplier-1', material: 'PLA', documentSha256: h(String(n)), issuedAt: at });
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await writeLedgerStep(certified(n), deps)).txId);
    const lot = deps.book.assets.get('lot:PLA-LOT-1')!;
    expect(lot).toMatchObject({ assetId: ids[0], tipTxId: ids[2], owner: await deps.platform.publicKey() });
    const v = verifyHistory(lot.assetId, [...deps.network.txs.values()]);
    expect(v.problems).toEqual([]);
    expect(v.asset).toEqual({ dpm: 'lot', v: 1, lotId: 'PLA-LOT-1', lotSearchKey: lotSearchKey('PLA-LOT-1') });
    expect(v.story.map((s) => [s.operation, s.step, s.details.certificateId])).toEqual([
      ['CREATE', 'material.certified', 'COA-1'],
      ['TRANSFER', 'material.certified', 'COA-2'],
      ['TRANSFER', 'material.certified', 'COA-3'],
    ]);
    expect(v.story[1]!.details).toEqual({ lotId: 'PLA-LOT-1', certificateId: 'COA-2', issuerPartnerId: 'supplier-1', material: 'PLA', documentSha256: h('2'), issuedAt: at });
    // The same certificate published again (a retried webhook) is the same step: nothing new is written.
    expect(await writeLedgerStep(certified(2), deps)).toEqual({ txId: ids[1], outcome: 'already-committed' });
    expect(deps.network.posts).toBe(3);
  });

  it('creates the same lot asset whichever certificate comes first', () => {
    const ctx = { platformKey: 'GkJ7r4h8UJzAoj2HBbBHCbLNSd1d7qZCvRLvBNzZ7hWn', keys: {} };
    const first = (certificateId: string): LedgerEvent => ({ type: 'material.certified', version: 1, eventId: `e-${certificateId}`, occurredAt: at, assetKey: lotAssetKey('L1'), lotId: 'L1', certificateId, issuerPartnerId: 's', material: 'PLA', documentSha256: h('a'), issuedAt: at });
    const a = planStep(first('A'), ctx).tx;
    const b = planStep(first('B'), ctx).tx;
    expect(a.asset).toEqual(b.asset);
    expect(a.operation).toBe('CREATE');
  });

  it('plans byte-identical transactions for the same event and state', () => {
    const ctx = { platformKey: 'GkJ7r4h8UJzAoj2HBbBHCbLNSd1d7qZCvRLvBNzZ7hWn', keys: { 'designer:alice': '3u5xzP1sQyd4xK2QCaHhzb9fN8rzt9RfyA8ZUJr1s6mL' } };
    expect(canonicalJson(planStep(designRegistered, ctx).tx)).toBe(canonicalJson(planStep(structuredClone(designRegistered), ctx).tx));
  });
});
