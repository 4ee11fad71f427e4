// Our transaction code against the official bigchaindb-driver and crypto-conditions: the same CREATE and TRANSFER
// must serialize to the same bytes and ids, and a threshold output spent with several signatures must verify.
import bdb from 'bigchaindb-driver';
import bs58 from 'bs58';
import cc from 'crypto-conditions';
import { createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, output, signingDigest, signTransaction, transactionId, unsignedCreate, unsignedTransfer, type Transaction } from '../../../shared/ledger/transaction.js';
import { verifyHistory } from '../../../shared/ledger/verify-history.js';

const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const signWith = (seedBase58: string) => async (_owner: string, digest: Buffer) =>
  sign(null, digest, createPrivateKey({ key: Buffer.concat([pkcs8Prefix, bs58.decode(seedBase58)]), format: 'der', type: 'pkcs8' }));

describe('transactions as the official driver builds them', () => {
  const alice = new bdb.Ed25519Keypair();
  const bob = new bdb.Ed25519Keypair();
  const data = { dpm: 'product', productId: 'p1', note: 'ünïcödé ✓' };
  const metadata = { step: 'product.printed', occurredAt: '2026-11-24T10:00:00.000Z' };

  it('gives the same CREATE and TRANSFER, byte for byte, with the same ids', async () => {
    const theirs = bdb.Transaction.signTransaction(
      bdb.Transaction.makeCreateTransaction(data, metadata, [bdb.Transaction.makeOutput(bdb.Transaction.makeEd25519Condition(alice.publicKey))], alice.publicKey),
      alice.privateKey,
    );
    const ours = await signTransaction(unsignedCreate(alice.publicKey, data, metadata, alice.publicKey), signWith(alice.privateKey));
    expect(canonicalJson(ours)).toBe(bdb.Transaction.serializeTransactionIntoCanonicalString(theirs as never));
    expect(ours).toEqual(theirs);

    const theirTransfer = bdb.Transaction.signTransaction(
      bdb.Transaction.makeTransferTransaction([{ tx: theirs, output_index: 0 }], [bdb.Transaction.makeOutput(bdb.Transaction.makeEd25519Condition(bob.publicKey))], { step: 'product.delivered' }),
      alice.privateKey,
    );
    const ourTransfer = await signTransaction(unsignedTransfer(ours.id, { txId: ours.id, owner: alice.publicKey }, { step: 'product.delivered' }, bob.publicKey), signWith(alice.privateKey));
    expect(ourTransfer).toEqual(theirTransfer);
    expect(transactionId(ourTransfer)).toBe(theirTransfer.id);
    expect(verifyHistory(ours.id, [ours, ourTransfer]).problems).toEqual([]);
  });

  describe('a threshold output spent by two signatures', () => {
    const build = async (signers: { publicKey: string; privateKey: string }[], fulfilled = 2) => {
      const condition = bdb.Transaction.makeThresholdCondition(2, [bdb.Transaction.makeEd25519Condition(alice.publicKey, false), bdb.Transaction.makeEd25519Condition(bob.publicKey, false)]);
      const create = await signTransaction({ ...unsignedCreate(alice.publicKey, data, metadata, alice.publicKey), outputs: [bdb.Transaction.makeOutput(condition) as unknown as Transaction['outputs'][number]] }, signWith(alice.privateKey));
      const transfer: Transaction = { ...unsignedTransfer(create.id, { txId: create.id, owner: alice.publicKey }, { step: 'resale' }, alice.publicKey), outputs: [output(alice.publicKey)] };
      transfer.inputs[0]!.owners_before = [alice.publicKey, bob.publicKey];
      const threshold = new cc.ThresholdSha256();
      threshold.setThreshold(fulfilled);
      for (const k of [alice, bob]) {
        const ed = new cc.Ed25519Sha256();
        if (signers.includes(k)) ed.sign(signingDigest(transfer, 0), Buffer.from(bs58.decode(k.privateKey)));
        else ed.setPublicKey(Buffer.from(bs58.decode(k.publicKey)));
        if (signers.includes(k)) threshold.addSubfulfillment(ed);
        else threshold.addSubcondition(ed.getConditionUri());
      }
      transfer.inputs[0]!.fulfillment = threshold.serializeUri();
      return { create, transfer: { ...transfer, id: transactionId(transfer) } };
    };

    it('verifies when both owners signed', async () => {
      const { create, transfer } = await build([alice, bob]);
      expect(verifyHistory(create.id, [create, transfer]).problems).toEqual([]);
    });

    it('refuses one signature where the threshold wants two', async () => {
      // A 1-of-2 fulfillment is a valid signature, but not of the 2-of-2 condition the output demands.
      const { create, transfer } = await build([alice], 1);
      expect(verifyHistory(create.id, [create, transfer]).problems.join()).toContain('does not satisfy the condition');
    });

    it('refuses a threshold signature over other content', async () => {
      const { create, transfer } = await build([alice, bob]);
      transfer.metadata = { step: 'forged' };
      const forged = { ...transfer, id: transactionId(transfer) };
      expect(verifyHistory(create.id, [create, forged]).problems.join()).toContain('signature does not verify');
    });
  });
});
