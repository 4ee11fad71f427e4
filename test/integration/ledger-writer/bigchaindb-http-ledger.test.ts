// Our BigchainDB client against the local node's real answers: retried POSTs of committed transactions are success,
// a competing spend is a DoubleSpend (a Conflict) whose spender can be looked up, an invalid transaction a
// RuleViolation, an unreachable ledger DependencyUnavailable.
import bs58 from 'bs58';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedgerNode } from '../../../local/ledger/node.js';
import { BigchainDbHttpLedger } from '../../../shared/adapters/bigchaindb-http-ledger.js';
import { Conflict, DependencyUnavailable, RuleViolation } from '../../../shared/errors.js';
import { DoubleSpend } from '../../../shared/ledger/ports.js';
import { signTransaction, unsignedCreate, unsignedTransfer } from '../../../shared/ledger/transaction.js';

const keypair = () => {
  const privateKey = generateKeyPairSync('ed25519').privateKey;
  return { publicKey: bs58.encode(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32)), sign: async (_o: string, d: Buffer) => sign(null, d, privateKey) };
};

describe('BigchainDbHttpLedger against the local node', () => {
  let dir: string;
  let node: Awaited<ReturnType<typeof startLedgerNode>>;
  let ledger: BigchainDbHttpLedger;
  const alice = keypair();
  const bob = keypair();
  const carol = keypair();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-http-ledger-'));
    node = await startLedgerNode({ port: 0, dataDir: dir, blockIntervalMs: 10 });
    ledger = new BigchainDbHttpLedger(`${node.url}/api/v1/`);
  });
  afterAll(async () => {
    await node?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('treats re-posts of a committed CREATE and TRANSFER as done, and refuses a competing spend', async () => {
    const create = await signTransaction(unsignedCreate(alice.publicKey, { what: 'http-ledger test' }, { n: 1 }, alice.publicKey), alice.sign);
    expect(await ledger.commit(create)).toBe('committed');
    expect(await ledger.commit(create)).toBe('already-committed');
    const transfer = await signTransaction(unsignedTransfer(create.id, { txId: create.id, owner: alice.publicKey }, { n: 2 }, bob.publicKey), alice.sign);
    expect(await ledger.commit(transfer)).toBe('committed');
    expect(await ledger.commit(transfer)).toBe('already-committed');
    expect((await ledger.listTransactions(create.id)).map((t) => t.id)).toEqual([create.id, transfer.id]);
    expect(await ledger.lastTransactionId(create.id)).toBe(transfer.id);
    expect(await ledger.lastTransactionId('0'.repeat(64))).toBeUndefined();

    const competing = await signTransaction(unsignedTransfer(create.id, { txId: create.id, owner: alice.publicKey }, { n: 3 }, carol.publicKey), alice.sign);
    const refusal = await ledger.commit(competing).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DoubleSpend);
    expect(refusal).toBeInstanceOf(Conflict);
    expect(await ledger.getTransaction(competing.id)).toBeUndefined();
    expect(await ledger.getTransaction(transfer.id)).toEqual(transfer);
    expect(await ledger.blockHeightOf(transfer.id)).toEqual(expect.any(Number));
    expect(await ledger.outputs(bob.publicKey, false)).toEqual([{ transaction_id: transfer.id, output_index: 0 }]);
    expect(await ledger.outputs(alice.publicKey, true)).toEqual([{ transaction_id: create.id, output_index: 0 }]);
  });

  it('finds the transaction that spent an output among the asset’s transfers, and none for an unspent one', async () => {
    const create = await signTransaction(unsignedCreate(alice.publicKey, { what: 'spender test' }, { n: 1 }, alice.publicKey), alice.sign);
    await ledger.commit(create);
    expect(await ledger.spenderOf(create.id, create.id, 0)).toBeUndefined();
    const first = await signTransaction(unsignedTransfer(create.id, { txId: create.id, owner: alice.publicKey }, { n: 2 }, bob.publicKey), alice.sign);
    const second = await signTransaction(unsignedTransfer(create.id, { txId: first.id, owner: bob.publicKey }, { n: 3 }, carol.publicKey), bob.sign);
    await ledger.commit(first);
    await ledger.commit(second);
    expect(await ledger.spenderOf(create.id, create.id, 0)).toEqual(first);
    expect(await ledger.spenderOf(create.id, first.id, 0)).toEqual(second);
    expect(await ledger.spenderOf(create.id, second.id, 0)).toBeUndefined();
    expect(await ledger.spenderOf(create.id, first.id, 1)).toBeUndefined();
  });

  it('refuses a transaction signed by the wrong key as a rule violation', async () => {
    const forged = await signTransaction(unsignedCreate(alice.publicKey, { what: 'forged' }, null as never, alice.publicKey), bob.sign);
    await expect(ledger.commit(forged)).rejects.toBeInstanceOf(RuleViolation);
    await expect(ledger.postTransaction(forged, 'async')).rejects.toThrow(/InvalidSignature|signature/i);
  });

  it('reports an unreachable ledger as a dependency failure', async () => {
    const down = new BigchainDbHttpLedger('http://127.0.0.1:1', {}, 2_000);
    await expect(down.getTransaction('a'.repeat(64))).rejects.toBeInstanceOf(DependencyUnavailable);
  });
});
