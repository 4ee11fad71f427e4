import { describe, expect, it } from 'vitest';
import { InvalidLedgerEvent, ledgerDetailType, parseLedgerEvent } from '../../../events/ledger-events.js';
import { platform } from '../../../infra/platform.js';
import { matchesPattern } from '../../../local/servers/event-pattern.js';

const valid = { type: 'design.registered', version: 1, eventId: 'design.registered:d1', occurredAt: '2026-11-24T10:00:00.000Z', assetKey: 'd1', designId: 'd1', designerId: 'u1', fingerprint: 'a'.repeat(64), licenseTermsHash: 'b'.repeat(64), termsVersion: 1 };

describe('ledger event contracts', () => {
  it('parses a valid event', () => {
    expect(parseLedgerEvent(valid)).toEqual(valid);
  });

  it('names the type, version and every field at fault', () => {
    expect(() => parseLedgerEvent({ ...valid, fingerprint: 'nope', termsVersion: 0 })).toThrow(/Invalid ledger event design.registered v1: fingerprint: .*termsVersion/);
    expect(() => parseLedgerEvent({ ...valid, version: 2 })).toThrow(InvalidLedgerEvent);
    expect(() => parseLedgerEvent({ ...valid, type: 'design.deleted' })).toThrow('Invalid ledger event design.deleted');
    expect(() => parseLedgerEvent(null)).toThrow(InvalidLedgerEvent);
  });

  it('refuses unknown fields, so personal data cannot ride along unnoticed', () => {
    expect(() => parseLedgerEvent({ ...valid, email: 'alice@example.com' })).toThrow(/email/);
  });

  it('reads both versions of product.printed: v2 adds the material lot’s certificates, checked like the rest', () => {
    const v1 = { type: 'product.printed', version: 1, eventId: 'product.printed:p1', occurredAt: '2026-11-24T10:00:00.000Z', assetKey: 'p1', productId: 'p1', designId: 'd1', orderId: 'o1', printerId: 'pr1', materialLot: 'LOT-7', printParamsHash: 'c'.repeat(64), gcodeHash: 'd'.repeat(64) };
    const cert = { issuerPartnerId: 'supplier-1', certificateId: 'CERT-9', documentSha256: 'e'.repeat(64), issuedAt: '2026-11-01T00:00:00Z' };
    expect(parseLedgerEvent(v1)).toEqual(v1);
    expect(parseLedgerEvent({ ...v1, version: 2, materialCertificates: [cert] })).toMatchObject({ version: 2, materialCertificates: [cert] });
    // v1 has no certificates, v2 must say which (none is an empty list), and a certificate carries a hash, not a document.
    expect(() => parseLedgerEvent({ ...v1, materialCertificates: [cert] })).toThrow(/materialCertificates/);
    expect(() => parseLedgerEvent({ ...v1, version: 2 })).toThrow(/Invalid ledger event product.printed v2: materialCertificates/);
    expect(() => parseLedgerEvent({ ...v1, version: 2, materialCertificates: [{ ...cert, documentSha256: 'a PDF' }] })).toThrow(/documentSha256/);
    expect(() => parseLedgerEvent({ ...v1, version: 3 })).toThrow(InvalidLedgerEvent);
  });

  it('reads both versions of product.delivered: v2 adds the carrier’s id', () => {
    const v1 = { type: 'product.delivered', version: 1, eventId: 'product.delivered:p1', occurredAt: '2026-11-24T10:00:00.000Z', assetKey: 'p1', productId: 'p1', customerId: 'c1', confirmedBy: 'carrier' };
    expect(parseLedgerEvent(v1)).toEqual(v1);
    expect(parseLedgerEvent({ ...v1, version: 2, carrierId: 'dpm-post' })).toEqual({ ...v1, version: 2, carrierId: 'dpm-post' });
    expect(() => parseLedgerEvent({ ...v1, carrierId: 'dpm-post' })).toThrow(/carrierId/);
    expect(() => parseLedgerEvent({ ...v1, version: 2 })).toThrow(/Invalid ledger event product.delivered v2: carrierId/);
    expect(() => parseLedgerEvent({ ...v1, version: 2, carrierId: 'Rapid Parcel Ltd' })).toThrow(/carrierId/);
  });

  it('reads material.certified v1: a lot’s certificate by ids and its document’s hash, nothing else', () => {
    const certified = { type: 'material.certified', version: 1, eventId: `material.certified:${'1'.repeat(64)}`, occurredAt: '2026-12-01T09:00:00.000Z', assetKey: 'lot:PLA-LOT-7', lotId: 'PLA-LOT-7', certificateId: 'COA-9', issuerPartnerId: 'supplier-1', material: 'PLA', documentSha256: 'e'.repeat(64), issuedAt: '2026-11-30T00:00:00Z' };
    expect(parseLedgerEvent(certified)).toEqual(certified);
    expect(() => parseLedgerEvent({ ...certified, issuerName: 'Filament Works Ltd' })).toThrow(/issuerName/);
    expect(() => parseLedgerEvent({ ...certified, documentSha256: 'a PDF', lotId: 'lot 7' })).toThrow(/Invalid ledger event material.certified v1: lotId: .*documentSha256/);
    expect(() => parseLedgerEvent({ ...certified, version: 2 })).toThrow(InvalidLedgerEvent);
  });

  it('uses detail-types the ledger rule of the description routes', () => {
    expect(matchesPattern(platform.eventRules.ledgerSteps.pattern, { source: 'dpm', 'detail-type': ledgerDetailType('product.delivered') })).toBe(true);
    // A lot's certificates take the same FIFO path as every other step.
    expect(matchesPattern(platform.eventRules.ledgerSteps.pattern, { source: 'dpm', 'detail-type': ledgerDetailType('material.certified') })).toBe(true);
  });
});
