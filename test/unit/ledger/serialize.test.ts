// Canonical serialization and ids agree with the driver's own (json-stable-stringify + js-sha3) byte for byte.
import bdb from 'bigchaindb-driver';
import { createHash, verify, createPublicKey } from 'node:crypto';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { computeTxId, inputDigest, serialize, sha3Hex, signingBase } from '../../../local/ledger/serialize.js';

const { Transaction, Ed25519Keypair } = bdb as unknown as {
  Transaction: {
    makeCreateTransaction(d: unknown, m: unknown, o: unknown[], ...k: string[]): Record<string, unknown> & { id: string; inputs: { fulfillment: string }[] };
    makeTransferTransaction(i: unknown[], o: unknown[], m: unknown): Record<string, unknown> & { id: string; inputs: { fulfillment: string }[] };
    makeOutput(c: unknown, a?: string): unknown;
    makeEd25519Condition(pk: string): unknown;
    signTransaction<T>(tx: T, ...k: string[]): T;
    serializeTransactionIntoCanonicalString(tx: unknown): string;
  };
  Ed25519Keypair: new () => { publicKey: string; privateKey: string };
};

describe('serialize', () => {
  it('sorts keys at every depth, compact, non-ASCII raw', () => {
    expect(serialize({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: true } })).toBe('{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}');
    expect(serialize('line\nbreak "q"')).toBe('"line\\nbreak \\"q\\""');
  });

  it('matches the driver on real transactions', () => {
    const k = new Ed25519Keypair();
    const create = Transaction.signTransaction(
      Transaction.makeCreateTransaction({ name: 'Ünïcödé ✓', nested: { b: [1, 2], a: null } }, { z: 1, a: 'x' }, [Transaction.makeOutput(Transaction.makeEd25519Condition(k.publicKey), '3')], k.publicKey),
      k.privateKey,
    );
    expect(serialize(create)).toBe(Transaction.serializeTransactionIntoCanonicalString(create));
    expect(computeTxId(create)).toBe(create.id);
  });

  it('the sha3 is NIST SHA3-256, not Keccak', () => {
    expect(sha3Hex('')).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
  });

  it('each input signs sha3(base + spent tx id + output index); CREATE signs sha3(base)', () => {
    const k = new Ed25519Keypair();
    const pk = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), bs58.decode(k.publicKey)]), format: 'der', type: 'spki' });
    const sigOf = (f: string) => Buffer.from(f, 'base64url').subarray(38);
    const create = Transaction.signTransaction(
      Transaction.makeCreateTransaction(null, null, [Transaction.makeOutput(Transaction.makeEd25519Condition(k.publicKey), '2')], k.publicKey),
      k.privateKey,
    );
    const base = signingBase(create as unknown as { inputs: unknown[] });
    expect(verify(null, inputDigest(base, { fulfills: null }), pk, sigOf(create.inputs[0]!.fulfillment))).toBe(true);

    const transfer = Transaction.signTransaction(
      Transaction.makeTransferTransaction([{ tx: create, output_index: 0 }], [Transaction.makeOutput(Transaction.makeEd25519Condition(k.publicKey), '2')], null),
      k.privateKey,
    );
    const tbase = signingBase(transfer as unknown as { inputs: unknown[] });
    const digest = inputDigest(tbase, { fulfills: { transaction_id: create.id, output_index: 0 } });
    expect(digest).toEqual(createHash('sha3-256').update(tbase + create.id + '0').digest());
    expect(verify(null, digest, pk, sigOf(transfer.inputs[0]!.fulfillment))).toBe(true);
    expect(verify(null, inputDigest(tbase, { fulfills: null }), pk, sigOf(transfer.inputs[0]!.fulfillment))).toBe(false);
  });
});
