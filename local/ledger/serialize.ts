// Canonical form of a transaction as BigchainDB hashes and signs it: keys sorted at every depth, compact separators,
// non-ASCII left raw (rapidjson with sort_keys=True, ensure_ascii=False), UTF-8, SHA3-256.
//
// Known divergences from the Python server, reachable only with hand-crafted bodies (driver-built txs never hit them):
// integral floats (`1.0` becomes `1`), exponent spelling (`1e+21`), integers above 2^53, control characters other than
// \b\f\n\r\t (escaped with lower-case hex here, upper-case in rapidjson) and key order for astral-plane keys.
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sorted-key, compact JSON; the same bytes `json-stable-stringify` (the driver) and rapidjson produce. */
export function serialize(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + serialize(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + serialize(v);
    first = false;
  }
  return out + '}';
}

export function sha3Hex(data: string | Buffer): string {
  return createHash('sha3-256').update(data).digest('hex');
}

export function sha3(data: string | Buffer): Buffer {
  return createHash('sha3-256').update(data).digest();
}

/** The id a transaction must carry: sha3-256 of its canonical form with `id` set to null (fulfillments present). */
export function computeTxId(tx: Record<string, unknown>): string {
  return sha3Hex(serialize({ ...tx, id: null }));
}

interface SignableInput {
  fulfills?: { transaction_id: string; output_index: number } | null;
}

/** The canonical form every input signs: id null and every fulfillment null. */
export function signingBase(tx: { inputs: readonly unknown[] }): string {
  const inputs = tx.inputs.map((i) => ({ ...(i as object), fulfillment: null }));
  return serialize({ ...tx, id: null, inputs });
}

/** The 32-byte message an input's fulfillment signs: sha3(base + spent tx id + output index), base alone for CREATE. */
export function inputDigest(base: string, input: SignableInput): Buffer {
  const f = input.fulfills;
  return sha3(f ? base + f.transaction_id + String(f.output_index) : base);
}
