// The official bigchaindb-driver against our ledger node: what the driver's own integration suite exercises, with the
// exact values asserted where upstream only checks for truthiness.
import cc from 'crypto-conditions';
import bs58 from 'bs58';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTx,
  Ed25519Keypair,
  eventually,
  getTx,
  http,
  post,
  startTestNode,
  Transaction,
  transferTx,
  type Keypair,
  type TestNode,
  type Tx,
} from './ledger-fixtures.js';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t?.stop();
});

const word = () => `w${randomBytes(6).toString('hex')}`;

function sha3Hex(s: string): string {
  return createHash('sha3-256').update(s).digest('hex');
}

/** A signFn for delegateSignTransaction that fulfills a 1-of-n threshold condition with one member's key. */
function thresholdSigner(threshold: number, signers: Keypair[], others: Keypair[]) {
  return (serialized: string, input: Tx['inputs'][number]) => {
    const message = input.fulfills ? serialized + input.fulfills.transaction_id + String(input.fulfills.output_index) : serialized;
    const digest = Buffer.from(sha3Hex(message), 'hex');
    const f = new cc.ThresholdSha256();
    f.setThreshold(threshold);
    for (const s of signers) {
      const ed = new cc.Ed25519Sha256();
      ed.sign(digest, Buffer.from(bs58.decode(s.privateKey)));
      f.addSubfulfillment(ed);
    }
    for (const o of others) {
      const ed = new cc.Ed25519Sha256();
      ed.setPublicKey(Buffer.from(bs58.decode(o.publicKey)));
      f.addSubcondition(ed.getCondition());
    }
    return f.serializeUri();
  };
}

describe('CREATE', () => {
  it('commit mode: 202 echoes the tx, which is then readable', async () => {
    const alice = new Ed25519Keypair();
    const tx = createTx(alice, { kind: 'printer', serial: word() }, { note: 'made' });
    const res = await t.conn.postTransactionCommit(tx);
    expect(res).toEqual(tx);
    expect(await t.conn.getTransaction(tx.id)).toEqual(tx);
  });

  it('postTransaction is commit mode too', async () => {
    const tx = createTx(new Ed25519Keypair(), { n: word() }, null);
    await t.conn.postTransaction(tx);
    expect(await getTx(t.api, tx.id)).toEqual(tx);
  });

  it.each(['Async', 'Sync'] as const)('%s mode: 202 at once, committed shortly after', async (mode) => {
    const tx = createTx(new Ed25519Keypair(), { n: word() }, { m: 1 });
    const res = mode === 'Async' ? await t.conn.postTransactionAsync(tx) : await t.conn.postTransactionSync(tx);
    expect(res).toEqual(tx);
    expect(await eventually(() => getTx(t.api, tx.id), 'the tx to commit')).toEqual(tx);
  });

  it('a second CREATE of a committed tx is a DuplicateTransaction', async () => {
    const tx = createTx(new Ed25519Keypair(), { n: word() }, null);
    await t.conn.postTransactionCommit(tx);
    await expect(t.conn.postTransactionCommit(tx)).rejects.toMatchObject({ status: '400 BAD REQUEST' });
    const raw = await post(t.api, tx);
    expect(raw.body).toEqual({ message: `Invalid transaction (DuplicateTransaction): transaction \`${tx.id}\` already exists`, status: 400 });
  });
});

describe('divisible assets and TRANSFER', () => {
  it('one input, split in two, then both halves and an output of another tx merged back', async () => {
    const alice = new Ed25519Keypair();
    const bob = new Ed25519Keypair();
    const carol = new Ed25519Keypair();
    const create = createTx(alice, { token: word() }, null, ['10']);
    await t.conn.postTransactionCommit(create);

    // one input → two outputs
    const split = transferTx([{ tx: create, output_index: 0 }], [{ key: bob.publicKey, amount: '7' }, { key: bob.publicKey, amount: '3' }], { step: 'split' }, alice);
    expect(await t.conn.postTransactionCommit(split)).toEqual(split);

    // two inputs from the same tx
    const merge = transferTx([{ tx: split, output_index: 0 }, { tx: split, output_index: 1 }], [{ key: carol.publicKey, amount: '6' }, { key: alice.publicKey, amount: '4' }], null, bob, bob);
    await t.conn.postTransactionCommit(merge);

    // alice gives carol her 4 in another tx; carol then spends outputs of two different txs at once
    const give = transferTx([{ tx: merge, output_index: 1 }], [{ key: carol.publicKey, amount: '4' }], null, alice);
    await t.conn.postTransactionCommit(give);
    const combine = transferTx([{ tx: merge, output_index: 0 }, { tx: give, output_index: 0 }], [{ key: alice.publicKey, amount: '10' }], { step: 'combine' }, carol, carol);
    await t.conn.postTransactionCommit(combine);

    expect(await t.conn.getTransaction(combine.id)).toEqual(combine);
    const all = await t.conn.listTransactions(create.id);
    expect(all.map((x: Tx) => x.id)).toEqual([create.id, split.id, merge.id, give.id, combine.id]);
    expect((await t.conn.listTransactions(create.id, 'TRANSFER')).map((x: Tx) => x.id)).toEqual([split.id, merge.id, give.id, combine.id]);
    expect((await t.conn.listTransactions(create.id, 'CREATE')).map((x: Tx) => x.id)).toEqual([create.id]);
    const last = await http(`${t.api}transactions?asset_id=${create.id}&last_tx=true`);
    expect((last.body as Tx[]).map((x) => x.id)).toEqual([combine.id]);

    // outputs: alice owns create#0 (spent), merge#1 (spent), combine#0 (unspent)
    const ids = (os: { transaction_id: string; output_index: number }[]) => os.map((o) => `${o.transaction_id}:${o.output_index}`);
    expect(ids(await t.conn.listOutputs(alice.publicKey))).toEqual([`${create.id}:0`, `${merge.id}:1`, `${combine.id}:0`]);
    expect(ids(await t.conn.listOutputs(alice.publicKey, true))).toEqual([`${create.id}:0`, `${merge.id}:1`]);
    expect(ids(await t.conn.listOutputs(alice.publicKey, false))).toEqual([`${combine.id}:0`]);
    expect(ids(await t.conn.listOutputs(bob.publicKey, false))).toEqual([]);
    expect(ids(await t.conn.listOutputs(carol.publicKey, true))).toEqual([`${merge.id}:0`, `${give.id}:0`]);
  });

  it('rejects a double spend with DoubleSpend, and amounts that do not add up', async () => {
    const alice = new Ed25519Keypair();
    const bob = new Ed25519Keypair();
    const create = createTx(alice, { token: word() }, null, ['5']);
    await t.conn.postTransactionCommit(create);
    const first = transferTx([{ tx: create, output_index: 0 }], [{ key: bob.publicKey, amount: '5' }], null, alice);
    await t.conn.postTransactionCommit(first);
    const second = transferTx([{ tx: create, output_index: 0 }], [{ key: alice.publicKey, amount: '5' }], { again: true }, alice);
    await expect(t.conn.postTransactionCommit(second)).rejects.toMatchObject({ name: 'ResponseError', status: '400 BAD REQUEST' });
    expect((await post(t.api, second)).body).toEqual({ message: `Invalid transaction (DoubleSpend): input \`${create.id}\` was already spent`, status: 400 });
    // re-posting the committed TRANSFER is a double spend too
    expect((await post(t.api, first)).body).toMatchObject({ message: `Invalid transaction (DoubleSpend): input \`${create.id}\` was already spent` });

    const inflated = transferTx([{ tx: first, output_index: 0 }], [{ key: alice.publicKey, amount: '6' }], null, bob);
    expect((await post(t.api, inflated)).body).toEqual({
      message: 'Invalid transaction (AmountError): The amount used in the inputs `5` needs to be same as the amount used in the outputs `6`',
      status: 400,
    });
  });

  it('rejects a TRANSFER signed by the wrong key, and one spending a pending or unknown tx', async () => {
    const alice = new Ed25519Keypair();
    const mallory = new Ed25519Keypair();
    const create = createTx(alice, { token: word() }, null);
    await t.conn.postTransactionCommit(create);
    const theft = transferTx([{ tx: create, output_index: 0 }], [{ key: mallory.publicKey, amount: '1' }], null, mallory);
    await expect(t.conn.postTransactionCommit(theft)).rejects.toMatchObject({ status: '400 BAD REQUEST' });
    expect((await post(t.api, theft)).body).toEqual({ message: 'Invalid transaction (InvalidSignature): Transaction signature is invalid.', status: 400 });

    const unknown = createTx(alice, { token: word() }, null);
    const spendUnknown = transferTx([{ tx: unknown, output_index: 0 }], [{ key: alice.publicKey, amount: '1' }], null, alice);
    expect((await post(t.api, spendUnknown)).body).toEqual({ message: `Invalid transaction (InputDoesNotExist): input \`${unknown.id}\` doesn't exist`, status: 400 });
  });
});

describe('threshold conditions', () => {
  it('CREATE signed through delegateSignTransaction to a 2-of-2 output, spent with a threshold fulfillment', async () => {
    const alice = new Ed25519Keypair();
    const bob = new Ed25519Keypair();
    const carol = new Ed25519Keypair();
    const condition = Transaction.makeThresholdCondition(2, [
      Transaction.makeEd25519Condition(alice.publicKey, false),
      Transaction.makeEd25519Condition(bob.publicKey, false),
    ]);
    const output = Transaction.makeOutput(condition, '2');
    output.public_keys = [alice.publicKey, bob.publicKey];
    const unsigned = Transaction.makeCreateTransaction({ shared: word() }, null, [output], alice.publicKey);
    const create = Transaction.delegateSignTransaction(unsigned, (serialized: string) => {
      const ed = new cc.Ed25519Sha256();
      ed.sign(Buffer.from(sha3Hex(serialized), 'hex'), Buffer.from(bs58.decode(alice.privateKey)));
      return ed.serializeUri();
    });
    expect(await t.conn.postTransactionCommit(create)).toEqual(create);
    expect((await t.conn.getTransaction(create.id)).outputs[0]!.condition.uri).toContain('fpt=threshold-sha-256&cost=264192&subtypes=ed25519-sha-256');
    // both members see the shared output
    expect(await t.conn.listOutputs(bob.publicKey)).toEqual([{ transaction_id: create.id, output_index: 0 }]);

    const transfer = Transaction.makeTransferTransaction(
      [{ tx: create, output_index: 0 }],
      [Transaction.makeOutput(Transaction.makeEd25519Condition(carol.publicKey), '2')],
      null,
    );
    const onlyAlice = Transaction.delegateSignTransaction(transfer, thresholdSigner(1, [alice], [bob]));
    expect((await post(t.api, onlyAlice)).body).toEqual({ message: 'Invalid transaction (InvalidSignature): Transaction signature is invalid.', status: 400 });

    const both = Transaction.delegateSignTransaction(transfer, thresholdSigner(2, [alice, bob], []));
    expect(await t.conn.postTransactionCommit(both)).toEqual(both);
    expect(await t.conn.listOutputs(alice.publicKey, true)).toEqual([{ transaction_id: create.id, output_index: 0 }]);
    expect(await t.conn.listOutputs(carol.publicKey, false)).toEqual([{ transaction_id: both.id, output_index: 0 }]);
  });

  it('a 1-of-2 output can be spent by either member alone', async () => {
    const alice = new Ed25519Keypair();
    const bob = new Ed25519Keypair();
    const condition = Transaction.makeThresholdCondition(1, [
      Transaction.makeEd25519Condition(alice.publicKey, false),
      Transaction.makeEd25519Condition(bob.publicKey, false),
    ]);
    const create = Transaction.signTransaction(
      Transaction.makeCreateTransaction({ either: word() }, null, [Transaction.makeOutput(condition, '1')], alice.publicKey),
      alice.privateKey,
    );
    await t.conn.postTransactionCommit(create);
    const transfer = Transaction.makeTransferTransaction([{ tx: create, output_index: 0 }], [Transaction.makeOutput(Transaction.makeEd25519Condition(alice.publicKey))], null);
    const byBob = Transaction.delegateSignTransaction(transfer, thresholdSigner(1, [bob], [alice]));
    expect(await t.conn.postTransactionCommit(byBob)).toEqual(byBob);
  });
});

describe('search', () => {
  it('assets: OR of stemmed terms, ranked by score, limit, phrases and negation', async () => {
    const tag = word();
    const owner = new Ed25519Keypair();
    const a = createTx(owner, { title: `${tag} Printing Nozzles`, tags: [{ deep: 'Résumé café' }] }, null);
    const b = createTx(owner, { title: `${tag} ${tag} printed nozzle` }, null);
    const c = createTx(owner, { title: `${tag} unrelated` }, { note: 'nozzle in metadata only' });
    for (const tx of [a, b, c]) await t.conn.postTransactionCommit(tx);

    const found = await t.conn.searchAssets(tag);
    expect(found.map((x: { id: string }) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(found[0]).toEqual({ data: b.asset.data, id: b.id });

    // stemming and case: "NOZZLE" matches "Nozzles" and "nozzle"; asset search does not see metadata
    const nozzles = await t.conn.searchAssets(`${tag} NOZZLE`);
    expect(nozzles.slice(0, 2).map((x: { id: string }) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(await t.conn.searchAssets(`${tag} nozzle`, 1)).toHaveLength(1);

    // diacritics are ignored; strings nested in arrays are indexed
    expect((await t.conn.searchAssets(`resume ${tag}`)).map((x: { id: string }) => x.id)[0]).toBe(a.id);
    // a quoted phrase is required; a -term excludes
    expect((await t.conn.searchAssets(`"${tag} printing"`)).map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect((await t.conn.searchAssets(`${tag} -unrelated`)).map((x: { id: string }) => x.id).sort()).toEqual([a.id, b.id].sort());
    // stop words alone match nothing; the asset's own id is searchable
    expect(await t.conn.searchAssets('the and of')).toEqual([]);
    expect(await t.conn.searchAssets(a.id)).toEqual([{ data: a.asset.data, id: a.id }]);
  });

  it('metadata of every tx (CREATE and TRANSFER), with {id, metadata}', async () => {
    const tag = word();
    const alice = new Ed25519Keypair();
    const create = createTx(alice, null, { memo: `${tag} created` });
    await t.conn.postTransactionCommit(create);
    const transfer = transferTx([{ tx: create, output_index: 0 }], [{ key: alice.publicKey, amount: '1' }], { memo: `${tag} moved` }, alice);
    await t.conn.postTransactionCommit(transfer);
    const res = await t.conn.searchMetadata(tag);
    expect(res).toHaveLength(2);
    expect(res).toEqual(expect.arrayContaining([{ id: create.id, metadata: create.metadata }, { id: transfer.id, metadata: transfer.metadata }]));
    expect(await t.conn.searchMetadata(`${tag} moving`)).toEqual([{ id: transfer.id, metadata: transfer.metadata }, { id: create.id, metadata: create.metadata }]);
    // a null asset is not searchable by content, but a tx id finds its metadata document
    expect(await t.conn.searchMetadata(create.id)).toEqual([{ id: create.id, metadata: create.metadata }]);
  });
});

describe('blocks', () => {
  it('listBlocks → getBlock contains the tx; heights are consecutive from the genesis block', async () => {
    const tx = createTx(new Ed25519Keypair(), { n: word() }, null);
    await t.conn.postTransactionCommit(tx);
    const heights = await t.conn.listBlocks(tx.id);
    expect(heights).toHaveLength(1);
    const block = await t.conn.getBlock(heights[0]!);
    expect(block.height).toBe(heights[0]!);
    expect(block.transactions.map((x: Tx) => x.id)).toContain(tx.id);
    expect(block.transactions.find((x: Tx) => x.id === tx.id)).toEqual(tx);
    expect(await t.conn.getBlock(0)).toEqual({ height: 0, transactions: [] });
    for (let h = 1; h <= heights[0]!; h++) expect((await http(`${t.api}blocks/${h}`)).status).toBe(200);
    await expect(t.conn.getBlock(heights[0]! + 1000)).rejects.toMatchObject({ status: '404 NOT FOUND' });
    expect(await t.conn.listBlocks('f'.repeat(64))).toEqual([]);
  });
});
