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
import { productAssetKey } from '../../../shared/ledger/ledger-model.js';
import { ed25519Fulfillment, signingDigest, transactionId } from '../../../shared/ledger/transaction.js';
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
