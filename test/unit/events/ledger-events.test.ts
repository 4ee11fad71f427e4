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

  it('uses detail-types the ledger rule of the description routes', () => {
    expect(matchesPattern(platform.eventRules.ledgerSteps.pattern, { source: 'dpm', 'detail-type': ledgerDetailType('product.delivered') })).toBe(true);
  });
});
