// Partners' API keys. An admin issues a key with scopes; the key is shown once and only its hash is kept. Partner
// routes are public at the gateway (its JWT authorizer knows Cognito tokens, not our keys), so each partner use case
// authenticates the presented key and checks its scope here, before it touches anything.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Forbidden, NotFound, RuleViolation, Unauthenticated } from '../errors.js';
import type { Partner, PartnerStore } from './partners.js';

export const partnerScopes = ['shipments:read', 'shipments:write', 'materials:write', 'webhooks:manage'] as const;
export type PartnerScope = (typeof partnerScopes)[number];

/** Which scopes a partner of each kind may hold: a supplier has no shipments to read, a carrier no lots to certify. */
export const scopesByKind: Record<Partner['kind'], readonly PartnerScope[]> = {
  carrier: ['shipments:read', 'shipments:write', 'webhooks:manage'],
  supplier: ['materials:write', 'webhooks:manage'],
  shop: ['webhooks:manage'],
};

export const IssueKeyInput = z.strictObject({
  label: z.string().trim().min(1).max(80),
  scopes: z
    .array(z.enum(partnerScopes))
    .min(1)
    .max(partnerScopes.length)
    .transform((s) => [...new Set(s)].sort()),
});
export type IssueKeyInput = z.infer<typeof IssueKeyInput>;

export interface PartnerKey {
  /** The visible part of the key, safe to list and log: 16 hex digits. */
  keyId: string;
  partnerId: string;
  label: string;
  scopes: PartnerScope[];
  /** SHA-256 of the key's secret part, hex. */
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface PartnerKeys {
  /** False if the key id exists already. */
  create(key: PartnerKey): Promise<boolean>;
  get(keyId: string): Promise<PartnerKey | undefined>;
  listByPartner(partnerId: string): Promise<PartnerKey[]>;
  /** Marks the key revoked (keeping the first revocation time); undefined if there is no such key. */
  revoke(keyId: string, at: string): Promise<PartnerKey | undefined>;
}

const keyPattern = /^dpmk\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

// A plain SHA-256 is enough here, and a slow password hash (bcrypt, argon2) would only add latency to every call: the
// secret is 256 random bits made by us, not a human password, so there is no dictionary to try and brute force is out
// of reach. The key id is hashed in as well, so a hash cannot be moved to another key's record.
export function hashKeySecret(keyId: string, secret: string): string {
  return createHash('sha256').update(`${keyId}.${secret}`).digest('hex');
}

/** A new key: `dpmk.<keyId>.<secret>`, the secret 32 random bytes in base64url. */
export function newApiKey(random: (n: number) => Buffer = randomBytes): { keyId: string; secret: string; apiKey: string } {
  const keyId = random(8).toString('hex');
  const secret = random(32).toString('base64url');
  return { keyId, secret, apiKey: `dpmk.${keyId}.${secret}` };
}

export function parseApiKey(apiKey: string | undefined): { keyId: string; secret: string } | undefined {
  const m = apiKey ? keyPattern.exec(apiKey) : null;
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

/** The caller of a partner route, once its key checks out. */
export interface PartnerPrincipal {
  partnerId: string;
  keyId: string;
  scopes: readonly PartnerScope[];
}

export type KeyCheck = { ok: true; principal: PartnerPrincipal } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'missing-scope' };

/** The pure rule: the presented key must parse, match a stored hash, be unrevoked and hold the scope. */
export function checkKey(presented: string | undefined, stored: PartnerKey | undefined, scope: PartnerScope): KeyCheck {
  const parsed = parseApiKey(presented);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (!stored || stored.keyId !== parsed.keyId) return { ok: false, reason: 'unknown' };
  const expected = Buffer.from(stored.secretHash, 'hex');
  const actual = Buffer.from(hashKeySecret(parsed.keyId, parsed.secret), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'unknown' };
  if (stored.revokedAt) return { ok: false, reason: 'revoked' };
  if (!stored.scopes.includes(scope)) return { ok: false, reason: 'missing-scope' };
  return { ok: true, principal: { partnerId: stored.partnerId, keyId: stored.keyId, scopes: stored.scopes } };
}

/** Authenticates a partner's key and checks one scope: 401 for a bad or revoked key, 403 for a missing scope. */
export async function authorizePartner(apiKey: string | undefined, scope: PartnerScope, deps: { partnerKeys: PartnerKeys }): Promise<PartnerPrincipal> {
  const parsed = parseApiKey(apiKey);
  const check = checkKey(apiKey, parsed ? await deps.partnerKeys.get(parsed.keyId) : undefined, scope);
  if (check.ok) return check.principal;
  switch (check.reason) {
    case 'malformed':
    case 'unknown':
    case 'revoked':
      // One answer for all three: a caller learns nothing about which keys exist or were revoked.
      throw new Unauthenticated('A valid partner API key is required (Authorization: Bearer dpmk.…)');
    case 'missing-scope':
      throw new Forbidden(`This key does not hold the ${scope} scope`);
    default: {
      const never: never = check.reason;
      throw new Error(`Unhandled key check ${String(never)}`);
    }
  }
}

/** What listing shows of a key: never its hash. */
export const keyView = (k: PartnerKey) => ({ keyId: k.keyId, prefix: `dpmk.${k.keyId}`, label: k.label, scopes: k.scopes, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null });

async function partnerOf(partnerId: string, partners: PartnerStore): Promise<Partner> {
  const partner = await partners.get(partnerId);
  if (!partner) throw new NotFound(`Partner ${partnerId} not found`);
  return partner;
}

export async function issuePartnerKey(input: IssueKeyInput & { partnerId: string }, deps: { partners: PartnerStore; partnerKeys: PartnerKeys; now: () => Date; random?: (n: number) => Buffer }) {
  const partner = await partnerOf(input.partnerId, deps.partners);
  const refused = input.scopes.filter((s) => !scopesByKind[partner.kind].includes(s));
  if (refused.length) throw new RuleViolation(`A ${partner.kind} cannot hold ${refused.join(', ')}`, { allowed: [...scopesByKind[partner.kind]] });
  const { keyId, secret, apiKey } = newApiKey(deps.random);
  const key: PartnerKey = { keyId, partnerId: partner.partnerId, label: input.label, scopes: input.scopes, secretHash: hashKeySecret(keyId, secret), createdAt: deps.now().toISOString() };
  // 64 random bits of key id collide essentially never; a collision is refused by the store, not overwritten.
  if (!(await deps.partnerKeys.create(key))) throw new Error('API key id collision; issue the key again');
  return { ...keyView(key), apiKey };
}

export async function listPartnerKeys(input: { partnerId: string }, deps: { partners: PartnerStore; partnerKeys: PartnerKeys }) {
  await partnerOf(input.partnerId, deps.partners);
  return (await deps.partnerKeys.listByPartner(input.partnerId)).map(keyView);
}

/** Revoking is idempotent; another partner's key id is answered like an unknown one. */
export async function revokePartnerKey(input: { partnerId: string; keyId: string }, deps: { partnerKeys: PartnerKeys; now: () => Date }) {
  const key = await deps.partnerKeys.get(input.keyId);
  if (!key || key.partnerId !== input.partnerId) throw new NotFound(`Key ${input.keyId} not found`);
  const revoked = await deps.partnerKeys.revoke(key.keyId, deps.now().toISOString());
  return keyView(revoked ?? key);
}
