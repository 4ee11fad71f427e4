import { beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import type { Transaction } from '../../../shared/ledger/transaction.js';
import { productAssetKey } from '../../../shared/ledger/ledger-model.js';
import { verifyHistory } from '../../../shared/ledger/verify-history.js';
import { writeLedgerStep } from '../../../shared/ledger/write-ledger-step.js';
import { FakeBook, FakeCustody, FakeNetwork, FakePlatformSigner } from '../../support/fakes/ledger.js';

type Tx = Transaction & { id: string };
const h = (c: string) => c.repeat(64);
const at = '2026-11-24T10:00:00.000Z';

describe('independent verification of a history', () => {
  let assetId: string;
  let history: Tx[];

  beforeAll(async () => {
    const deps = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new FakeNetwork(), book: new FakeBook() };
    const events: LedgerEvent[] = [
      { type: 'design.registered', version: 1, eventId: 'e0', occurredAt: at, assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 },
      { type: 'product.printed', version: 1, eventId: 'e1', occurredAt: at, assetKey: 'p1', productId: 'p1', designId: 'd1', orderId: 'o1', printerId: 'pr', materialLot: 'lot', printParamsHash: h('c'), gcodeHash: h('d') },
      { type: 'product.shipped', version: 1, eventId: 'e2', occurredAt: at, assetKey: 'p1', productId: 'p1', carrierId: 'c', trackingHash: h('e') },
      { type: 'product.delivered', version: 1, eventId: 'e3', occurredAt: at, assetKey: 'p1', productId: 'p1', customerId: 'bob', confirmedBy: 'carrier' },
    ];
    for (const e of events) await writeLedgerStep(e, deps);
    assetId = deps.book.assets.get(productAssetKey('p1'))!.assetId;
    history = [...deps.network.txs.values()].filter((t) => t.id === assetId || ('id' in t.asset && t.asset.id === assetId));
  });

  const tamper = (f: (h: Tx[]) => void) => {
    const copy = structuredClone(history);
    f(copy);
    return verifyHistory(assetId, copy);
  };

  it('verifies an untouched history and tells its story in order', () => {
    const v = verifyHistory(assetId, [...history].reverse(), { [assetId]: 3 });
    expect(v.verified).toBe(true);
    expect(v.story.map((s) => [s.step, s.blockHeight])).toEqual([
      ['product.printed', 3],
      ['product.shipped', undefined],
      ['product.delivered', undefined],
    ]);
  });

  it('carries the material lot’s certificates in a v2 product’s CREATE, verified with it', async () => {
    const deps = { platform: new FakePlatformSigner(), custody: new FakeCustody(), network: new FakeNetwork(), book: new FakeBook() };
    const cert = { issuerPartnerId: 'supplier-1', certificateId: 'CERT-9', documentSha256: h('e'), issuedAt: '2026-11-01T00:00:00Z' };
    await writeLedgerStep({ type: 'design.registered', version: 1, eventId: 'e0', occurredAt: at, assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 }, deps);
    await writeLedgerStep({ type: 'product.printed', version: 2, eventId: 'e1', occurredAt: at, assetKey: 'p2', productId: 'p2', designId: 'd1', orderId: 'o2', printerId: 'pr', materialLot: 'LOT-7', printParamsHash: h('c'), gcodeHash: h('d'), materialCertificates: [cert] }, deps);
    const id = deps.book.assets.get(productAssetKey('p2'))!.assetId;
    const v = verifyHistory(id, [deps.network.txs.get(id)!] as Tx[]);
    expect(v.verified).toBe(true);
    expect(v.asset).toMatchObject({ materialLot: 'LOT-7', materialCertificates: [cert] });
    // Swapping the certificate's hash afterwards breaks the transaction's id.
    const forged = structuredClone(deps.network.txs.get(id)!) as Tx;
    ((forged.asset as { data: { materialCertificates: { documentSha256: string }[] } }).data.materialCertificates[0]!).documentSha256 = h('f');
    expect(verifyHistory(id, [forged]).verified).toBe(false);
  });

  it('catches altered metadata through the id', () => {
    const v = tamper((h) => ((h[1]!.metadata as Record<string, unknown>).carrierId = 'someone-else'));
    expect(v.verified).toBe(false);
    expect(v.problems.join()).toContain('it was altered');
  });

  it('catches a re-hashed forgery through the signature', () => {
    const v = tamper((h) => {
      (h[1]!.metadata as Record<string, unknown>).carrierId = 'forged';
      h[1]!.id = '0'.repeat(64);
    });
    expect(v.problems.join()).toMatch(/signature does not verify|altered/);
  });

  it('catches a broken ownership chain and a missing step', () => {
    expect(tamper((h) => h.splice(1, 1)).problems.join()).toContain('not part of the asset');
    expect(tamper((h) => h.splice(0, 1)).problems.join()).toContain('CREATE transaction');
    const doubled = tamper((h) => h.push({ ...structuredClone(h[1]!), id: 'f'.repeat(64) }));
    expect(doubled.verified).toBe(false);
  });

  it('catches a transfer signed by someone who does not own the output', () => {
    // The keys are random: a key already ending in the replacement character would come back unchanged.
    const other = (key: string) => key.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
    const v = tamper((h) => (h[2]!.inputs[0]!.owners_before = [other(h[0]!.outputs[0]!.public_keys[0]!)]));
    expect(v.verified).toBe(false);
  });
});
