// BigchainDB 2.0 transactions, built and checked with our own code: canonical JSON (keys sorted, no spaces, as
// json-stable-stringify and rapidjson write it), SHA3-256 ids, and ed25519-sha-256 crypto-conditions in DER.
// Signing is left to the caller, because the platform key signs inside KMS.
import bs58 from 'bs58';
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

export interface Output {
  public_keys: string[];
  amount: string;
  condition: { details: { type: 'ed25519-sha-256'; public_key: string }; uri: string };
}

export interface Input {
  owners_before: string[];
  fulfills: { transaction_id: string; output_index: number } | null;
  fulfillment: string | null;
}

export interface Transaction {
  id: string | null;
  version: '2.0';
  operation: 'CREATE' | 'TRANSFER';
  asset: { data: Record<string, unknown> | null } | { id: string };
  metadata: Record<string, unknown> | null;
  inputs: Input[];
  outputs: Output[];
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha3Hex = (data: string | Uint8Array) => createHash('sha3-256').update(data).digest('hex');

/** The id: SHA3-256 of the canonical transaction with its fulfillments and `id: null`. */
export function transactionId(tx: Transaction): string {
  return sha3Hex(canonicalJson({ ...tx, id: null }));
}

/** What input `index` signs: SHA3-256 over the transaction without fulfillments, plus the output it spends. */
export function signingDigest(tx: Transaction, index: number): Buffer {
  const base = canonicalJson({ ...tx, id: null, inputs: tx.inputs.map((i) => ({ ...i, fulfillment: null })) });
  const f = tx.inputs[index]!.fulfills;
  return createHash('sha3-256')
    .update(base + (f ? `${f.transaction_id}${f.output_index}` : ''))
    .digest();
}

const conditionPrefix = Buffer.from([0x30, 0x22, 0x80, 0x20]);
const fulfillmentPrefix = Buffer.from([0xa4, 0x64, 0x80, 0x20]);

export function ed25519ConditionUri(publicKey: Uint8Array): string {
  const hash = createHash('sha256').update(Buffer.concat([conditionPrefix, publicKey])).digest('base64url');
  return `ni:///sha-256;${hash}?fpt=ed25519-sha-256&cost=131072`;
}

export function ed25519Fulfillment(publicKey: Uint8Array, signature: Uint8Array): string {
  return Buffer.concat([fulfillmentPrefix, publicKey, Buffer.from([0x81, 0x40]), signature]).toString('base64url');
}

/** Reads an ed25519-sha-256 fulfillment back into its public key and signature; undefined for any other shape. */
export function parseEd25519Fulfillment(fulfillment: string): { publicKey: Buffer; signature: Buffer } | undefined {
  const b = Buffer.from(fulfillment, 'base64url');
  if (b.length !== 102 || !b.subarray(0, 4).equals(fulfillmentPrefix) || b[36] !== 0x81 || b[37] !== 0x40) return undefined;
  return { publicKey: b.subarray(4, 36), signature: b.subarray(38) };
}

export function output(publicKey: string, amount = '1'): Output {
  return {
    public_keys: [publicKey],
    amount,
    condition: { details: { type: 'ed25519-sha-256', public_key: publicKey }, uri: ed25519ConditionUri(bs58.decode(publicKey)) },
  };
}

export function unsignedCreate(issuer: string, data: Record<string, unknown>, metadata: Record<string, unknown>, owner: string): Transaction {
  return { id: null, version: '2.0', operation: 'CREATE', asset: { data }, metadata, inputs: [{ owners_before: [issuer], fulfills: null, fulfillment: null }], outputs: [output(owner)] };
}

export function unsignedTransfer(assetId: string, spend: { txId: string; owner: string }, metadata: Record<string, unknown>, newOwner: string): Transaction {
  return {
    id: null,
    version: '2.0',
    operation: 'TRANSFER',
    asset: { id: assetId },
    metadata,
    inputs: [{ owners_before: [spend.owner], fulfills: { transaction_id: spend.txId, output_index: 0 }, fulfillment: null }],
    outputs: [output(newOwner)],
  };
}

/** Signs every input (all ours are single-key Ed25519) through `sign`, then fixes the id. */
export async function signTransaction(tx: Transaction, sign: (owner: string, digest: Buffer) => Promise<Uint8Array>): Promise<Transaction & { id: string }> {
  const signed: Transaction = { ...tx, inputs: [...tx.inputs] };
  for (let i = 0; i < tx.inputs.length; i++) {
    const owner = tx.inputs[i]!.owners_before[0]!;
    const signature = await sign(owner, signingDigest(tx, i));
    signed.inputs[i] = { ...tx.inputs[i]!, fulfillment: ed25519Fulfillment(bs58.decode(owner), signature) };
  }
  return { ...signed, id: transactionId(signed) };
}

const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

// Importing a key costs about as much as checking a signature; the same few keys (the platform's, participants')
// sign most transactions, so their key objects are kept.
const keyObjects = new Map<string, KeyObject>();

function keyObjectOf(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = keyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([spkiPrefix, publicKey]), format: 'der', type: 'spki' });
    if (keyObjects.size >= 10_000) keyObjects.clear();
    keyObjects.set(id, key);
  }
  return key;
}

export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, message, keyObjectOf(publicKey), signature);
}

/**
 * The same check on libuv's thread pool: a request path that verifies a signature every time (a product's Digital
 * Link) then leaves the event loop free for other requests meanwhile, and a busy process uses its other cores.
 */
export function verifyEd25519Async(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const key = keyObjectOf(publicKey);
  return new Promise((resolve, reject) => verify(null, message, key, signature, (err, ok) => (err ? reject(err) : resolve(ok))));
}

/** Raw 32-byte Ed25519 public key from DER SubjectPublicKeyInfo (what KMS GetPublicKey returns). */
export function rawEd25519FromSpki(der: Uint8Array): Buffer {
  const b = Buffer.from(der);
  if (b.length !== 44 || !b.subarray(0, 12).equals(spkiPrefix)) throw new Error('Not an Ed25519 SubjectPublicKeyInfo');
  return b.subarray(12);
}
