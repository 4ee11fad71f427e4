// A product's memory follows its material lot to the lot's own ledger asset: the lot's certificates appear where they
// fall in time, those recorded after the product was delivered included, each with its transaction; a lot asset not
// created by the product's creator is not the lot; and the passport lists the certificates that vouch for the product.
import { beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import { lotAssetKey, lotSearchKey } from '../../../shared/ledger/ledger-model.js';
import { signTransaction, unsignedCreate } from '../../../shared/ledger/transaction.js';
import { writeLedgerStep } from '../../../shared/ledger/write-ledger-step.js';
import { productPassport } from '../../../shared/tags/exports.js';
import { VerificationMemo } from '../../../shared/tags/verification-memo.js';
import { productMemory } from '../../../shared/tags/verify-product.js';
import { FakeBook, FakeCustody, FakeNetwork, FakePlatformSigner } from '../../support/fakes/ledger.js';
import { InMemoryProductLedger } from '../../support/fakes/tags.js';

const h = (c: string) => c.repeat(64);
const certificate = (n: number, occurredAt: string, material = 'PLA'): LedgerEvent => ({
  type: 'material.certified',
  version: 1,
  eventId: `cert-${n}`,
  occurredAt,
  assetKey: lotAssetKey('PLA-LOT-7'),
  lotId: 'PLA-LOT-7',
  certificateId: `COA-${n}`,
  issuerPartnerId: 'supplier-1',
  material,
  documentSha256: h(String(n)),
  issuedAt: '2026-11-01T00:00:00Z',
});
const product: LedgerEvent[] = [
  { type: 'design.registered', version: 1, eventId: 'e0', occurredAt: '2026-11-10T00:00:00.000Z', assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 },
  {
    type: 'product.printed',
    version: 2,
    eventId: 'e1',
    occurredAt: '2026-11-21T00:00:00.000Z',
    assetKey: 'p1',
    productId: 'p1',
    designId: 'd1',
    orderId: 'o1',
    printerId: 'pr',
    materialLot: 'PLA-LOT-7',
    printParamsHash: h('c'),
    gcodeHash: h('d'),
    materialCertificates: [{ issuerPartnerId: 'supplier-1', certificateId: 'COA-1', documentSha256: h('1'), issuedAt: '2026-11-01T00:00:00Z' }],
  },
  { type: 'product.delivered', version: 1, eventId: 'e2', occurredAt: '2026-11-25T00:00:00.000Z', assetKey: 'p1', productId: 'p1', customerId: 'bob', confirmedBy: 'carrier' },
];

describe('a product’s memory and its material lot', () => {
  let writer: { platform: FakePlatformSigner; custody: FakeCustody; network: FakeNetwork; book: FakeBook };
  let ledger: InMemoryProductLedger;
  let memo: VerificationMemo;
  /** Writes the steps and puts their transactions on the readers' ledger in commit order. */
  const write = async (...events: LedgerEvent[]) => {
    for (const e of events) {
      const { txId } = await writeLedgerStep(e, writer);
      ledger.commit(writer.network.txs.get(txId)!);
    }
  };

  beforeEach(async () => {
    writer = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new FakeNetwork(), book: new FakeBook() };
    ledger = new InMemoryProductLedger();
    memo = new VerificationMemo();
    await write(certificate(1, '2026-11-20T00:00:00.000Z'), ...product);
  });

  it('shows the lot’s certificates where they fall in time, one recorded after the delivery included', async () => {
    expect((await productMemory('p1', ledger, memo)).memory.map((m) => m.step)).toEqual(['design.registered', 'material.certified', 'product.printed', 'product.delivered']);
    await write(certificate(2, '2026-12-01T00:00:00.000Z'));
    const m = await productMemory('p1', ledger, memo);
    const lotAssetId = writer.book.assets.get(lotAssetKey('PLA-LOT-7'))!.assetId;
    expect(m).toMatchObject({ ledger: 'verified', problems: [], lot: { lotId: 'PLA-LOT-7', assetId: lotAssetId } });
    expect(m.memory.map((s) => [s.step, s.details.certificateId])).toEqual([
      ['design.registered', undefined],
      ['material.certified', 'COA-1'],
      ['product.printed', undefined],
      ['product.delivered', undefined],
      ['material.certified', 'COA-2'],
    ]);
    expect(m.memory.at(-1)!.details).toEqual({ lotId: 'PLA-LOT-7', certificateId: 'COA-2', issuerPartnerId: 'supplier-1', material: 'PLA', documentSha256: h('2'), issuedAt: '2026-11-01T00:00:00Z', lotAssetId });
    expect(m.memory.at(-1)!.url).toBe(ledger.transactionUrl(writer.book.assets.get(lotAssetKey('PLA-LOT-7'))!.tipTxId));
    // The product is still the customer's: the lot's steps are not the product's custody.
    expect(m.asset!.currentOwner).toBe(await writer.custody.publicKeyOf('customer:bob'));
  });

  it('finds the lot once, then only asks whether its chain grew', async () => {
    await productMemory('p1', ledger, memo);
    const searches = ledger.calls.search;
    await write(certificate(2, '2026-12-01T00:00:00.000Z'));
    expect((await productMemory('p1', ledger, memo)).memory.filter((s) => s.step === 'material.certified')).toHaveLength(2);
    expect(ledger.calls.search).toBe(searches);
  });

  it('leaves out a certificate for another material of the same lot id, since the product was printed with a PLA one', async () => {
    await write(certificate(3, '2026-12-02T00:00:00.000Z', 'PETG'), certificate(4, '2026-12-03T00:00:00.000Z'));
    const m = await productMemory('p1', ledger, memo);
    expect(m.memory.filter((s) => s.step === 'material.certified').map((s) => s.details.certificateId)).toEqual(['COA-1', 'COA-4']);
    const passport = productPassport({ productId: 'p1', gtin: '09506000134352', serial: 'S1' }, m.memory, { ledger: m.ledger });
    expect(passport.materials).toEqual([
      {
        lot: 'PLA-LOT-7',
        lotAssetId: m.lot!.assetId,
        certificates: [
          { issuerPartnerId: 'supplier-1', certificateId: 'COA-1', documentSha256: h('1'), issuedAt: '2026-11-01T00:00:00Z', material: 'PLA', recordedAt: '2026-11-20T00:00:00.000Z', transaction: expect.any(String) },
          { issuerPartnerId: 'supplier-1', certificateId: 'COA-4', documentSha256: h('4'), issuedAt: '2026-11-01T00:00:00Z', material: 'PLA', recordedAt: '2026-12-03T00:00:00.000Z', transaction: expect.any(String) },
        ],
      },
    ]);
    expect(passport.custody.map((c) => c.step)).toEqual(['product.printed', 'product.delivered']);
  });

  it('does not take an asset that claims the lot but was created by another key', async () => {
    const other = new FakePlatformSigner();
    const key = await other.publicKey();
    const meta = { dpm: 1, step: 'material.certified', occurredAt: '2026-11-22T00:00:00.000Z', lotId: 'PLA-LOT-7', certificateId: 'COA-FAKE', issuerPartnerId: 'supplier-1', material: 'PLA', documentSha256: h('f'), issuedAt: '2026-11-01T00:00:00Z' };
    const fresh = new VerificationMemo();
    // Committed before the real lot's asset would be searched for: the fake comes first in the search.
    ledger.transactions.unshift(await signTransaction(unsignedCreate(key, { dpm: 'lot', v: 1, lotId: 'PLA-LOT-7', lotSearchKey: lotSearchKey('PLA-LOT-7') }, meta, key), (_o, d) => other.sign(d)));
    const m = await productMemory('p1', ledger, fresh);
    expect(m.problems).toEqual([]);
    expect(m.memory.filter((s) => s.step === 'material.certified').map((s) => s.details.certificateId)).toEqual(['COA-1']);
    expect(m.lot!.assetId).toBe(writer.book.assets.get(lotAssetKey('PLA-LOT-7'))!.assetId);
  });

  it('shows no lot step while none of its certificates is on the ledger, and the first one as soon as it is', async () => {
    writer = { platform: writer.platform, custody: writer.custody, network: new FakeNetwork(), book: new FakeBook() };
    ledger = new InMemoryProductLedger();
    await write(...product);
    const before = await productMemory('p1', ledger, memo);
    expect(before).toMatchObject({ ledger: 'verified', problems: [], lot: { lotId: 'PLA-LOT-7' } });
    expect(before.lot!.assetId).toBeUndefined();
    expect(before.memory.some((s) => s.step === 'material.certified')).toBe(false);
    await write(certificate(5, '2026-12-05T00:00:00.000Z'));
    expect((await productMemory('p1', ledger, memo)).memory.at(-1)).toMatchObject({ step: 'material.certified', details: { certificateId: 'COA-5' } });
  });
});
