// Partners' API keys with fakes of the ports: the key's shape, the hash-only record, and the pure rule that turns a
// presented key into a principal or a refusal (401 for a bad or revoked key, 403 for a missing scope).
import { describe, expect, it } from 'vitest';
import { Forbidden, NotFound, RuleViolation, Unauthenticated } from '../../../shared/errors.js';
import { authorizePartner, checkKey, hashKeySecret, IssueKeyInput, issuePartnerKey, listPartnerKeys, newApiKey, parseApiKey, revokePartnerKey, type PartnerKey } from '../../../shared/partners/api-keys.js';
import { InMemoryPartnerKeys, InMemoryPartners, manualClock } from '../../support/fakes/partners.js';

const carrier = { partnerId: 'partner-c1', name: 'Rapid Parcel', kind: 'carrier' as const, sealedWebhookSecret: '', createdAt: '2026-12-01T00:00:00Z' };

function given() {
  const partners = new InMemoryPartners();
  const partnerKeys = new InMemoryPartnerKeys();
  partners.partners.set(carrier.partnerId, carrier);
  return { partners, partnerKeys, ...manualClock() };
}

describe('API key format', () => {
  it('is dpmk.<16 hex>.<43 base64url> and parses back; anything else does not parse', () => {
    const { keyId, secret, apiKey } = newApiKey();
    expect(apiKey).toMatch(/^dpmk\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(apiKey)).toEqual({ keyId, secret });
    for (const bad of [undefined, '', 'dpmk.', `dpmk.${keyId}`, `${apiKey}x`, apiKey.replace('dpmk', 'dpmx'), 'eyJhbGciOi.eyJzdWIi.sig']) expect(parseApiKey(bad)).toBeUndefined();
  });

  it('binds the hash to the key id', () => {
    expect(hashKeySecret('a', 's')).not.toBe(hashKeySecret('b', 's'));
    expect(hashKeySecret('a', 's')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('checkKey (pure)', () => {
  const { keyId, secret, apiKey } = newApiKey();
  const stored: PartnerKey = { keyId, partnerId: 'p1', label: 'ops', scopes: ['shipments:read'], secretHash: hashKeySecret(keyId, secret), createdAt: '2026-12-01T00:00:00Z' };

  it.each([
    ['a malformed key', 'Bearer nonsense', stored, 'malformed'],
    ['an unknown key id', apiKey, undefined, 'unknown'],
    ['a wrong secret', `dpmk.${keyId}.${'A'.repeat(43)}`, stored, 'unknown'],
    ['a revoked key', apiKey, { ...stored, revokedAt: '2026-12-02T00:00:00Z' }, 'revoked'],
  ] as const)('refuses %s', (_name, presented, record, reason) => {
    expect(checkKey(presented, record, 'shipments:read')).toEqual({ ok: false, reason });
  });

  it('refuses a scope the key does not hold, and accepts one it does', () => {
    expect(checkKey(apiKey, stored, 'shipments:write')).toEqual({ ok: false, reason: 'missing-scope' });
    expect(checkKey(apiKey, stored, 'shipments:read')).toEqual({ ok: true, principal: { partnerId: 'p1', keyId, scopes: ['shipments:read'] } });
  });
});

describe('issuing, using and revoking keys', () => {
  it('shows the key once and keeps only its hash; the key then authorizes its scopes', async () => {
    const deps = given();
    const issued = await issuePartnerKey({ partnerId: carrier.partnerId, ...IssueKeyInput.parse({ label: 'ops', scopes: ['webhooks:manage', 'shipments:read', 'shipments:read'] }) }, deps);
    expect(issued.apiKey.startsWith(`${issued.prefix}.`)).toBe(true);
    expect(issued.scopes).toEqual(['shipments:read', 'webhooks:manage']);
    const record = deps.partnerKeys.keys.get(issued.keyId)!;
    expect(JSON.stringify(record)).not.toContain(parseApiKey(issued.apiKey)!.secret);
    expect(await authorizePartner(issued.apiKey, 'shipments:read', deps)).toMatchObject({ partnerId: carrier.partnerId });
    await expect(authorizePartner(issued.apiKey, 'shipments:write', deps)).rejects.toBeInstanceOf(Forbidden);
    await expect(authorizePartner(undefined, 'shipments:read', deps)).rejects.toBeInstanceOf(Unauthenticated);
    expect(await listPartnerKeys({ partnerId: carrier.partnerId }, deps)).toEqual([expect.not.objectContaining({ secretHash: expect.anything() })]);
  });

  it('refuses scopes the partner’s kind cannot hold (422) and unknown partners (404)', async () => {
    const deps = given();
    await expect(issuePartnerKey({ partnerId: carrier.partnerId, label: 'x', scopes: ['materials:write'] }, deps)).rejects.toBeInstanceOf(RuleViolation);
    await expect(issuePartnerKey({ partnerId: 'partner-nope', label: 'x', scopes: ['webhooks:manage'] }, deps)).rejects.toBeInstanceOf(NotFound);
  });

  it('a revoked key fails with 401 from then on; revoking twice keeps the first time; another partner’s key is 404', async () => {
    const deps = given();
    const issued = await issuePartnerKey({ partnerId: carrier.partnerId, label: 'ops', scopes: ['shipments:read'] }, deps);
    const first = await revokePartnerKey({ partnerId: carrier.partnerId, keyId: issued.keyId }, deps);
    deps.advance(60);
    expect((await revokePartnerKey({ partnerId: carrier.partnerId, keyId: issued.keyId }, deps)).revokedAt).toBe(first.revokedAt);
    await expect(authorizePartner(issued.apiKey, 'shipments:read', deps)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(revokePartnerKey({ partnerId: 'partner-other', keyId: issued.keyId }, deps)).rejects.toBeInstanceOf(NotFound);
  });
});
