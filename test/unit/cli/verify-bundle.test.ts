// `dpm verify --bundle` on bundles that were tampered with: re-sealed after the edit (so the bundle hash alone cannot
// give it away), the transaction checks must still find every kind of forgery.
import bs58 from 'bs58';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import { main } from '../../../cli/main.js';
import { checkBundle, makeBundle, type ProofBundle } from '../../../cli/proof-bundle.js';
import { lotAssetKey, lotSearchKey, productAssetKey } from '../../../shared/ledger/ledger-model.js';
import { ed25519Fulfillment, signTransaction, signingDigest, transactionId, unsignedCreate } from '../../../shared/ledger/transaction.js';
import { writeLedgerStep } from '../../../shared/ledger/write-ledger-step.js';
import { FakeBook, FakeCustody, FakeNetwork, FakePlatformSigner } from '../../support/fakes/ledger.js';

const h = (c: string) => c.repeat(64);
const at = '2026-11-24T10:00:00.000Z';
const events: LedgerEvent[] = [
  { type: 'design.registered', version: 1, eventId: 'e0', occurredAt: at, assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 },
  { type: 'product.printed', version: 1, eventId: 'e1', occurredAt: at, assetKey: 'p1', productId: 'p1', designId: 'd1', orderId: 'o1', printerId: 'pr', materialLot: 'lot-7', printParamsHash: h('c'), gcodeHash: h('d') },
  { type: 'product.tagged', version: 1, eventId: 'e2', occurredAt: at, assetKey: 'p1', productId: 'p1', gtin: '09506000134352', serial: 'SN1', tagKeyHash: h('e') },
  { type: 'product.shipped', version: 1, eventId: 'e3', occurredAt: at, assetKey: 'p1', productId: 'p1', carrierId: 'c', trackingHash: h('f') },
  { type: 'product.delivered', version: 1, eventId: 'e4', occurredAt: at, assetKey: 'p1', productId: 'p1', customerId: 'bob', confirmedBy: 'carrier' },
];

describe('dpm verify on a proof bundle', () => {
  let bundle: ProofBundle;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-bundle-'));
    const deps = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new FakeNetwork(), book: new FakeBook() };
    for (const e of events) await writeLedgerStep(e, deps);
    const assetId = deps.book.assets.get(productAssetKey('p1'))!.assetId;
    const transactions = [...deps.network.txs.values()].filter((t) => t.id === assetId || ('id' in t.asset && t.asset.id === assetId));
    bundle = makeBundle({ assetId, ledger: 'http://ledger.test', fetchedAt: at, transactions, blockHeights: Object.fromEntries(transactions.map((t, i) => [t.id, i + 1])) });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Applies an edit and re-seals the bundle, as a forger would. */
  const forged = (edit: (b: ProofBundle) => void) => {
    const copy = structuredClone(bundle);
    edit(copy);
    const { bundleHash: _h, format: _f, ...body } = copy;
    return makeBundle(body);
  };
  const run = async (b: unknown, ...flags: string[]) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(b));
    let out = '';
    const code = await main(['verify', '--bundle', file, ...flags], (s) => (out += s), () => undefined);
    return { code, out };
  };

  it('verifies the untouched bundle and prints the story in order', async () => {
    const { code, out } = await run(bundle);
    expect(code).toBe(0);
    expect(out.indexOf('Printed at')).toBeLessThan(out.indexOf('Tagged at'));
    expect(out.indexOf('Shipped at')).toBeLessThan(out.indexOf('Delivered to its owner'));
    expect(out).toContain('VERIFIED: 4 transactions');
    const json = await run(bundle, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ verified: true, story: [{ step: 'product.printed', blockHeight: 1 }, {}, {}, { step: 'product.delivered' }] });
  });

  it('catches an edit that was not re-sealed by the bundle hash', async () => {
    const copy = structuredClone(bundle);
    copy.blockHeights[copy.assetId] = 99;
    const { code, out } = await run(copy);
    expect(code).toBe(1);
    expect(out).toContain('bundle hash does not match');
  });

  it('catches changed metadata through the transaction id', async () => {
    const b = forged((x) => ((x.transactions[2]!.metadata as Record<string, unknown>).trackingHash = h('0')));
    const { code, out } = await run(b);
    expect(code).toBe(1);
    expect(out).toContain('it was altered');
  });

  it('catches changed metadata with a recomputed id through the signature', async () => {
    const b = forged((x) => {
      const t = x.transactions[1]!;
      (t.metadata as Record<string, unknown>).serial = 'SN-FAKE';
      t.id = transactionId(t);
    });
    expect(checkBundle(b).problems.join()).toContain('the signature does not verify');
  });

  it('catches a signature from the wrong key', async () => {
    // A valid signature over the right digest, by a key that does not own the spent output.
    const mallory = generateKeyPairSync('ed25519').privateKey;
    const malloryKey = createPublicKey(mallory).export({ format: 'der', type: 'spki' }).subarray(-32);
    const resign = (claimOwner: boolean) =>
      forged((x) => {
        const t = x.transactions[3]!;
        const signature = sign(null, signingDigest(t, 0), mallory);
        if (claimOwner) t.inputs[0]!.owners_before = [bs58.encode(malloryKey)];
        t.inputs[0]!.fulfillment = ed25519Fulfillment(malloryKey, signature);
        t.id = transactionId(t);
      });
    expect(checkBundle(resign(false)).problems.join()).toContain(`signed by ${bs58.encode(malloryKey)}, not by`);
    const claimed = checkBundle(resign(true)).problems.join();
    expect(claimed).toContain('does not satisfy the condition of the output it spends');
    expect(claimed).toContain('belongs to');
  });

  it('catches a broken ownership chain and a missing transaction', async () => {
    expect(checkBundle(forged((x) => x.transactions.splice(2, 1))).problems.join()).toContain('not part of the asset');
    expect(checkBundle(forged((x) => x.transactions.splice(0, 1))).problems.join()).toContain('CREATE transaction');
    const redirected = forged((x) => (x.transactions[3]!.inputs[0]!.fulfills = { transaction_id: x.transactions[0]!.id, output_index: 0 }));
    expect(checkBundle(redirected).verified).toBe(false);
  });

  it('refuses a file that is not a bundle, and asks for a bundle or an asset id', async () => {
    expect((await run({ hello: 'world' })).out).toContain('not a DPM proof bundle');
    expect(await main(['verify', '--bundle', join(dir, 'missing.json')], () => undefined, () => undefined)).toBe(1);
    expect(await main(['verify', h('a'), '--bundle', 'x.json'], () => undefined, () => undefined)).toBe(2);
  });
});

describe('dpm verify on a product printed from a certified lot', () => {
  const certified = (n: number, occurredAt: string, lotId = 'lot-7'): LedgerEvent => ({
    type: 'material.certified',
    version: 1,
    eventId: `cert-${lotId}-${n}`,
    occurredAt,
    assetKey: lotAssetKey(lotId),
    lotId,
    certificateId: `COA-${n}`,
    issuerPartnerId: 'supplier-1',
    material: 'PLA',
    documentSha256: h(String(n)),
    issuedAt: at,
  });
  let deps: { platform: FakePlatformSigner; custody: FakeCustody; network: FakeNetwork; book: FakeBook };
  let bundle: ProofBundle;
  const historyOf = (assetId: string) => [...deps.network.txs.values()].filter((t) => t.id === assetId || ('id' in t.asset && t.asset.id === assetId));
  const heights = (txs: { id: string }[]) => Object.fromEntries(txs.map((t, i) => [t.id, i + 1]));
  const bundleWith = (lot: ProofBundle['lot']) => {
    const assetId = deps.book.assets.get(productAssetKey('p1'))!.assetId;
    const transactions = historyOf(assetId);
    return makeBundle({ assetId, ledger: 'http://ledger.test', fetchedAt: at, transactions, blockHeights: heights(transactions), ...(lot ? { lot } : {}) });
  };
  const lotPart = (lotId: string, assetId: string): ProofBundle['lot'] => {
    const transactions = historyOf(assetId);
    return { lotId, assetId, transactions, blockHeights: heights(transactions) };
  };

  beforeAll(async () => {
    deps = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new FakeNetwork(), book: new FakeBook() };
    // One certificate before the print, one after the delivery: the lot's chain holds both.
    await writeLedgerStep(certified(1, '2026-11-20T00:00:00.000Z'), deps);
    for (const e of events) await writeLedgerStep(e, deps);
    await writeLedgerStep(certified(2, '2026-12-01T00:00:00.000Z'), deps);
    bundle = bundleWith(lotPart('lot-7', deps.book.assets.get(lotAssetKey('lot-7'))!.assetId));
  });

  it('verifies the lot’s chain like the product’s and shows every certificate, the one recorded after delivery included', async () => {
    const result = checkBundle(bundle);
    expect(result.problems).toEqual([]);
    expect(result.lot).toMatchObject({ verified: true, lotId: 'lot-7', story: [{ operation: 'CREATE', details: { certificateId: 'COA-1' } }, { operation: 'TRANSFER', details: { certificateId: 'COA-2' } }] });
    let out = '';
    expect(await main(['verify', '--bundle', await saved(bundle)], (x) => (out += x), () => undefined)).toBe(0);
    expect(out).toContain('Material lot lot-7: asset');
    expect(out.indexOf('Delivered to its owner')).toBeLessThan(out.lastIndexOf('Material certified at 2026-12-01'));
    expect(out).toContain('Material lot lot-7: 2 certificates, created by the product');
  });

  it('refuses a lot asset written by anyone but the product’s creator, even one that claims the lot', async () => {
    const mallory = new FakePlatformSigner();
    const key = await mallory.publicKey();
    const fake = await signTransaction(unsignedCreate(key, { dpm: 'lot', v: 1, lotId: 'lot-7', lotSearchKey: lotSearchKey('lot-7') }, { step: 'material.certified', certificateId: 'COA-FAKE' }, key), (_o, d) => mallory.sign(d));
    const forgedLot = bundleWith({ lotId: 'lot-7', assetId: fake.id, transactions: [fake], blockHeights: { [fake.id]: 1 } });
    const result = checkBundle(forgedLot);
    expect(result.verified).toBe(false);
    expect(result.problems.join()).toContain(`material lot lot-7: the lot asset was created by ${key}, not by the product's creator`);
  });

  it('refuses another lot’s asset, an altered certificate and a lot transaction outside any block', async () => {
    await writeLedgerStep(certified(3, at, 'lot-8'), deps);
    const other = checkBundle(bundleWith(lotPart('lot-8', deps.book.assets.get(lotAssetKey('lot-8'))!.assetId)));
    expect(other.problems.join()).toContain('the product names lot lot-7, not lot-8');
    const altered = structuredClone(bundle.lot!);
    (altered.transactions[1]!.metadata as Record<string, unknown>).documentSha256 = h('9');
    expect(checkBundle(bundleWith(altered)).problems.join()).toMatch(/material lot lot-7: transaction .* it was altered/);
    const unconfirmed = structuredClone(bundle.lot!);
    delete unconfirmed.blockHeights[unconfirmed.transactions[1]!.id];
    expect(checkBundle(bundleWith(unconfirmed)).problems.join()).toContain('material lot lot-7: not in any block');
  });

  let dir: string | undefined;
  const saved = async (b: ProofBundle) => {
    dir ??= await mkdtemp(join(tmpdir(), 'dpm-lot-bundle-'));
    const file = join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify(b));
    return file;
  };
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));
});
