// Crypto-conditions (ed25519-sha-256 and threshold-sha-256) as BigchainDB uses them. The single-key Ed25519 case, which
// is nearly every input, is parsed and verified with node:crypto (native, several times faster than the tweetnacl
// fallback inside `crypto-conditions`); thresholds go through the `crypto-conditions` library.
import cc from 'crypto-conditions';
import bs58 from 'bs58';
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

export type ConditionDetails =
  | { type: 'ed25519-sha-256'; public_key: string }
  | { type: 'threshold-sha-256'; threshold: number; subconditions: ConditionDetails[] };

/** A parsed fulfillment: the fast Ed25519 form, a library object (threshold), or details posted unsigned. */
export type ParsedFulfillment =
  | { kind: 'ed25519'; publicKey: Buffer; signature: Buffer }
  | { kind: 'cc'; fulfillment: cc.Fulfillment }
  | { kind: 'unsigned' };

export class FulfillmentParseError extends Error {
  override name = 'FulfillmentParseError';
}

const ED25519_COST = 131072;
// DER of the Ed25519 fulfillment: a4 64 (80 20 <pk>) (81 40 <sig>)
const ED_FULFILLMENT_LEN = 102;
// SubjectPublicKeyInfo prefix for a raw 32-byte Ed25519 key.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_THRESHOLD_DEPTH = 100;

export function parseFulfillment(uri: string): ParsedFulfillment {
  const raw = Buffer.from(uri, 'base64url');
  if (
    raw.length === ED_FULFILLMENT_LEN &&
    raw[0] === 0xa4 &&
    raw[1] === 0x64 &&
    raw[2] === 0x80 &&
    raw[3] === 0x20 &&
    raw[36] === 0x81 &&
    raw[37] === 0x40 &&
    raw.toString('base64url') === uri
  ) {
    return { kind: 'ed25519', publicKey: raw.subarray(4, 36), signature: raw.subarray(38) };
  }
  try {
    return { kind: 'cc', fulfillment: cc.fromFulfillmentUri(uri) };
  } catch (err) {
    throw new FulfillmentParseError((err as Error).message);
  }
}

function ed25519ConditionUri(publicKey: Buffer): string {
  // fingerprint = sha256(DER SEQUENCE { [0] publicKey })
  const fp = createHash('sha256').update(Buffer.from([0x30, 0x22, 0x80, 0x20])).update(publicKey).digest('base64url');
  return `ni:///sha-256;${fp}?fpt=ed25519-sha-256&cost=${ED25519_COST}`;
}

export class ConditionDetailsError extends Error {
  override name = 'ConditionDetailsError';
}

function decodeKey(b58: string): Buffer {
  const key = Buffer.from(bs58.decode(b58));
  if (key.length !== 32) throw new ConditionDetailsError(`public key ${b58} is not 32 bytes`);
  return key;
}

function detailsToCc(details: ConditionDetails, depth: number): cc.Fulfillment {
  if (depth > MAX_THRESHOLD_DEPTH) throw new ConditionDetailsError('Threshold condition is too deep');
  if (details.type === 'ed25519-sha-256') {
    const f = new cc.Ed25519Sha256();
    f.setPublicKey(decodeKey(details.public_key));
    return f;
  }
  const t = new cc.ThresholdSha256();
  t.setThreshold(details.threshold);
  for (const sub of details.subconditions) t.addSubcondition(detailsToCc(sub, depth + 1).getCondition());
  return t;
}

/** The condition URI BigchainDB derives from `condition.details` (the stored `uri` is always this, never the posted one). */
export function conditionUriFromDetails(details: ConditionDetails): string {
  if (details.type === 'ed25519-sha-256') return ed25519ConditionUri(decodeKey(details.public_key));
  return detailsToCc(details, 0).getConditionUri();
}

/** Every public key that appears in the details, recursively through threshold subconditions. */
export function detailsKeys(details: ConditionDetails, out: Set<string> = new Set()): Set<string> {
  if (details.type === 'ed25519-sha-256') out.add(details.public_key);
  else for (const s of details.subconditions) detailsKeys(s, out);
  return out;
}

export function fulfillmentConditionUri(f: ParsedFulfillment): string | undefined {
  if (f.kind === 'ed25519') return ed25519ConditionUri(f.publicKey);
  if (f.kind === 'cc') return f.fulfillment.getConditionUri();
  return undefined;
}

// Public keys recur (one owner signs many txs); parsing them into KeyObjects is a measurable share of a verify.
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_MAX = 10_000;

function ed25519Key(pk: Buffer): KeyObject {
  const hex = pk.toString('hex');
  let key = keyCache.get(hex);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(hex, key);
  }
  return key;
}

/** True when the fulfillment is valid for `message` (the 32-byte input digest). */
export function verifyFulfillment(f: ParsedFulfillment, message: Buffer): boolean {
  if (f.kind === 'ed25519') {
    try {
      return verify(null, message, ed25519Key(f.publicKey), f.signature);
    } catch {
      return false;
    }
  }
  if (f.kind === 'cc') {
    try {
      return f.fulfillment.validate(message) !== false;
    } catch {
      return false;
    }
  }
  return false;
}
