// The ledger's HTTP surface where the driver does not go: malformed input, limits, error bodies and reason phrases,
// the mempool cache, and concurrent conflicts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize, sha3Hex } from '../../../local/ledger/serialize.js';
import { createTx, Ed25519Keypair, eventually, getTx, http, post, startTestNode, Transaction, transferTx, type TestNode, type Tx } from './ledger-fixtures.js';

let t: TestNode;
/** A node with long blocks, so posts land in the same block / are still pending when re-posted. */
let slow: TestNode;
const slowBlockMs = 1000;
beforeAll(async () => {
  [t, slow] = await Promise.all([startTestNode({ maxBodyBytes: 4096 }), startTestNode({ blockIntervalMs: slowBlockMs })]);
});
/**
 * Lets the slow node go idle. Within an interval of its last block a node gathers for 2 ms only (clients it just
 * answered post again at once), so a test that needs a tx to stay pending, or two posts in one block, must not start
 * right after another test's block: it then depends on its next request arriving within those 2 ms.
 */
const slowIdle = () => new Promise((r) => setTimeout(r, slowBlockMs + 100));
afterAll(async () => {
  await Promise.all([t?.stop(), slow?.stop()]);
});

const word = () => `w${randomBytes(6).toString('hex')}`;

/** Re-signs nothing: just recomputes the id after a tamper, so the id check passes and later checks are reached. */
function withId(tx: Tx): Tx {
  return { ...tx, id: sha3Hex(serialize({ ...tx, id: null })) };
}

function createWithAmount(amount: string): Tx {
  const alice = new Ed25519Keypair();
  const out = Transaction.makeOutput(Transaction.makeEd25519Condition(alice.publicKey), '1');
  out.amount = amount;
  return Transaction.signTransaction(Transaction.makeCreateTransaction({ a: word() }, null, [out], alice.publicKey), alice.privateKey);
}

describe('info, routing and CORS', () => {
  it('GET / and /api/v1/ describe the API', async () => {
    const root = await http(`${t.node.url}/`);
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ software: 'BigchainDB', version: '2.2.2', api: { v1: { transactions: '/api/v1/transactions/', validators: '/api/v1/validators' } } });
    const v1 = await http(`${t.node.url}/api/v1/`);
    expect(v1.body).toMatchObject({ assets: '/assets/', blocks: '/blocks/', metadata: '/metadata/', outputs: '/outputs/', transactions: '/transactions/' });
    expect((await http(`${t.node.url}/api/v1`)).status).toBe(200);
  });

  it('unknown paths and ids are 404 NOT FOUND with a JSON body', async () => {
    const wrong = await http(`${t.node.url}/api/wrong/transactions/transactionId`);
    expect([wrong.status, wrong.statusText]).toEqual([404, 'NOT FOUND']);
    expect(wrong.headers.get('content-type')).toBe('application/json');
    const missing = await http(`${t.api}transactions/${'a'.repeat(64)}`);
    expect([missing.status, missing.statusText, missing.body]).toEqual([404, 'NOT FOUND', { message: 'Not found', status: 404 }]);
    expect((await http(`${t.api}blocks/-1`)).status).toBe(404);
    expect((await http(`${t.api}blocks/abc`)).status).toBe(404);
    const method = await http(`${t.api}outputs`, { method: 'DELETE' });
    expect([method.status, method.statusText]).toEqual([405, 'METHOD NOT ALLOWED']);
  });

  it('CORS is open, preflight included', async () => {
    const pre = await http(`${t.api}transactions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
    expect((await http(`${t.api}validators`)).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('validators: the single node with the 2.2 shape', async () => {
    const v = await http(`${t.api}validators`);
    expect(v.body).toEqual([{ public_key: { type: 'ed25519-base64', value: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) }, voting_power: 10 }]);
  });
});

describe('query parameters (reqparse-style errors)', () => {
  const cases: [string, number, unknown][] = [
    ['transactions', 400, { message: { asset_id: 'Missing required parameter in the JSON body or the post body or the query string' } }],
    ['transactions?asset_id=xyz', 400, { message: { asset_id: 'Invalid hash' } }],
    [`transactions?asset_id=${'a'.repeat(64)}&operation=burn`, 400, { message: { operation: 'Operation must be "CREATE" or "TRANSFER"' } }],
    [`transactions?asset_id=${'A'.repeat(64)}&operation=create`, 200, []],
    ['outputs?public_key=0OIl', 400, { message: { public_key: 'Invalid base58 ed25519 key' } }],
    [`outputs?public_key=${'1'.repeat(44)}&spent=yes`, 400, { message: { spent: 'Boolean value must be "true" or "false" (lowercase)' } }],
    [`outputs?public_key=${'1'.repeat(44)}&spent=TRUE`, 200, []],
    [`outputs?public_key=${'1'.repeat(44)}&foo=1`, 400, { message: 'Unknown arguments: foo' }],
    ['assets', 400, { message: { search: 'Missing required parameter in the JSON body or the post body or the query string' } }],
    ['assets?search=', 400, { message: 'text_search cannot be empty', status: 400 }],
    ['metadata?search=x&limit=ten', 400, { message: { limit: "invalid literal for int() with base 10: 'ten'" } }],
    ['blocks', 400, { message: { transaction_id: 'Missing required parameter in the JSON body or the post body or the query string' } }],
    ['blocks?transaction_id=nope', 200, []],
    ['blocks/0', 200, { height: 0, transactions: [] }],
  ];
  it.each(cases)('GET %s → %i', async (path, status, body) => {
    const res = await http(`${t.api}${path}`);
    expect(res.status).toBe(status);
    expect(res.statusText).toBe(status === 200 ? 'OK' : 'BAD REQUEST');
    expect(res.body).toEqual(body);
  });

  it('a bad mode is rejected before the body is read', async () => {
    const res = await post(t.api, '{}', 'fast');
    expect(res.body).toEqual({ message: { mode: 'Mode must be "async", "sync" or "commit"' } });
  });
});

describe('POST /transactions rejections', () => {
  it('malformed JSON, a non-object body, a missing or wrong id', async () => {
    const bad = await post(t.api, '{"id": ');
    expect([bad.status, bad.statusText]).toEqual([400, 'BAD REQUEST']);
    expect((bad.body as { message: string }).message).toMatch(/^Failed to decode JSON object: /);

    // BigchainDB answers 500 here; we document the divergence and answer 400.
    expect((await post(t.api, '[1,2]')).body).toEqual({ message: 'Invalid transaction (ValidationError): The transaction must be a JSON object', status: 400 });

    const tx = createTx(new Ed25519Keypair(), { a: word() }, null);
    const { id: _drop, ...noId } = tx;
    expect((await post(t.api, noId)).body).toEqual({ message: 'Invalid transaction (InvalidHash): No transaction id found!', status: 400 });
    const wrongId = { ...tx, id: 'b'.repeat(64) };
    expect((await post(t.api, wrongId)).body).toEqual({
      message: `Invalid transaction (InvalidHash): The transaction's id '${'b'.repeat(64)}' isn't equal to the hash of its body, i.e. it's not valid.`,
      status: 400,
    });
  });

  it('schema errors, invalid keys and languages', async () => {
    const alice = new Ed25519Keypair();
    const emptyMeta = createTx(alice, { a: word() }, {});
    const res = await post(t.api, emptyMeta);
    expect(res.status).toBe(400);
    // jsonschema 3.0's best_match descends into the first anyOf branch, as Ajv reports it.
    expect(res.body).toEqual({ message: 'Invalid transaction schema: {} does not have enough properties', status: 400 });

    const numeric = withId({ ...createTx(alice, { a: word() }, null), version: '1.0' });
    expect((await post(t.api, numeric)).body).toMatchObject({ message: expect.stringMatching(/^Invalid transaction schema: '1\.0' does not match/) });

    const dotted = createTx(alice, { 'a.b': 1 }, null);
    expect((await post(t.api, dotted)).body).toEqual({
      message: 'Invalid transaction (ValidationError): Invalid key name "a.b" in asset object. The key name cannot contain characters ".", "$" or null characters',
      status: 400,
    });
    const lang = createTx(alice, null, { nested: [{ language: 'klingon' }] });
    expect((await post(t.api, lang)).body).toMatchObject({
      message: expect.stringContaining('MongoDB does not support text search for the language "klingon".'),
    });
  });

  it('amounts out of range', async () => {
    expect((await post(t.api, createWithAmount('0'))).body).toEqual({ message: 'Invalid transaction (AmountError): `amount` must be greater than 0', status: 400 });
    expect((await post(t.api, createWithAmount('9000000000000000001'))).body).toEqual({
      message: 'Invalid transaction (AmountError): `amount` must be <= 9000000000000000000',
      status: 400,
    });
    expect((await post(t.api, createWithAmount('9000000000000000000'))).status).toBe(202);
    expect((await post(t.api, createWithAmount('-1'))).body).toMatchObject({ message: expect.stringMatching(/^Invalid transaction schema: /) });
  });

  it('a tampered signature, and a garbled fulfillment', async () => {
    const tx = createTx(new Ed25519Keypair(), { a: word() }, null);
    const sig = Buffer.from(tx.inputs[0]!.fulfillment!, 'base64url');
    sig[sig.length - 1]! ^= 1;
    const tampered = withId({ ...tx, inputs: [{ ...tx.inputs[0]!, fulfillment: sig.toString('base64url') }] });
    expect((await post(t.api, tampered)).body).toEqual({ message: 'Invalid transaction (InvalidSignature): Transaction signature is invalid.', status: 400 });
    const garbled = withId({ ...tx, inputs: [{ ...tx.inputs[0]!, fulfillment: 'abc' }] });
    expect((await post(t.api, garbled)).body).toEqual({ message: "Invalid transaction (InvalidSignature): Fulfillment URI couldn't been parsed", status: 400 });
    // changing signed content without re-signing
    const edited = withId({ ...tx, metadata: { sneaky: true } });
    expect((await post(t.api, edited)).body).toMatchObject({ message: 'Invalid transaction (InvalidSignature): Transaction signature is invalid.' });
  });

  it('an output index past the end is a 400 (BigchainDB: 500)', async () => {
    const alice = new Ed25519Keypair();
    const create = createTx(alice, { a: word() }, null);
    await t.conn.postTransactionCommit(create);
    const unsigned = Transaction.makeTransferTransaction([{ tx: create, output_index: 0 }], [Transaction.makeOutput(Transaction.makeEd25519Condition(alice.publicKey))], null);
    unsigned.inputs[0]!.fulfills!.output_index = 3;
    const spend = Transaction.signTransaction(unsigned, alice.privateKey);
    expect((await post(t.api, spend)).body).toEqual({ message: `Invalid transaction (InputDoesNotExist): input \`${create.id}\` has no output 3`, status: 400 });
  });

  it('an oversized body is a 413 with a JSON error', async () => {
    const big = createTx(new Ed25519Keypair(), { blob: 'x'.repeat(5000) }, null);
    const res = await post(t.api, big);
    expect([res.status, res.statusText]).toEqual([413, 'REQUEST ENTITY TOO LARGE']);
    expect(res.body).toEqual({ message: 'Request body is larger than the 4096-byte limit', status: 413 });
    // the node keeps serving
    expect((await http(`${t.api}blocks/0`)).status).toBe(200);
  });
});

describe('mempool and conflicts', () => {
  it('the same tx posted again while pending is "Tx already exists in cache"; once committed, a duplicate', async () => {
    await slowIdle();
    const tx = createTx(new Ed25519Keypair(), { a: word() }, null);
    expect((await post(slow.api, tx, 'async')).status).toBe(202);
    const again = await post(slow.api, tx, 'sync');
    expect([again.status, again.body]).toEqual([400, { message: 'Internal error - Tx already exists in cache', status: 400 }]);
    await eventually(() => getTx(slow.api, tx.id), 'the tx to commit');
    expect((await post(slow.api, tx, 'async')).body).toEqual({ message: `Invalid transaction (DuplicateTransaction): transaction \`${tx.id}\` already exists`, status: 400 });
  });

  it('a TRANSFER of a still-pending CREATE is InputDoesNotExist', async () => {
    await slowIdle();
    const alice = new Ed25519Keypair();
    const create = createTx(alice, { a: word() }, null);
    expect((await post(slow.api, create, 'async')).status).toBe(202);
    const spend = transferTx([{ tx: create, output_index: 0 }], [{ key: alice.publicKey, amount: '1' }], null, alice);
    expect((await post(slow.api, spend, 'async')).body).toEqual({ message: `Invalid transaction (InputDoesNotExist): input \`${create.id}\` doesn't exist`, status: 400 });
  });

  it('conflicting TRANSFERs posted concurrently: exactly one wins, the other fails its block', async () => {
    const alice = new Ed25519Keypair();
    const create = createTx(alice, { a: word() }, null, ['4']);
    await slow.conn.postTransactionCommit(create);
    const spends = Array.from({ length: 4 }, () => transferTx([{ tx: create, output_index: 0 }], [{ key: new Ed25519Keypair().publicKey, amount: '4' }], null, alice));
    const results = await Promise.all(spends.map((s) => post(slow.api, s, 'commit')));
    const winners = results.filter((r) => r.status === 202);
    expect(winners).toHaveLength(1);
    // Losers that reached the same block fail it (500); on a busy machine one may arrive after the winner's block
    // was cut, and then CheckTx already sees the double spend (400). Both are BigchainDB's behaviour.
    const losers = results.filter((x) => x.status !== 202);
    for (const r of losers) {
      if (r.status === 500) expect([r.statusText, r.body]).toEqual(['INTERNAL SERVER ERROR', { message: 'Transaction validation failed', status: 500 }]);
      else expect([r.status, (r.body as { message: string }).message]).toEqual([400, expect.stringContaining('DoubleSpend')]);
    }
    const winner = spends[results.indexOf(winners[0]!)]!;
    expect((await slow.conn.listTransactions(create.id, 'TRANSFER')).map((x) => x.id)).toEqual([winner.id]);
    expect(await slow.conn.listOutputs(alice.publicKey, true)).toEqual([{ transaction_id: create.id, output_index: 0 }]);
    expect(slow.node.stats().dropped).toBe(losers.filter((r) => r.status === 500).length);
  });

  it('a TRANSFER may spend an output made earlier in the same block only via committed state: two CREATEs in one block both commit', async () => {
    await slowIdle();
    const alice = new Ed25519Keypair();
    const a = createTx(alice, { a: word() }, null);
    const b = createTx(alice, { b: word() }, null);
    const [ra, rb] = await Promise.all([post(slow.api, a), post(slow.api, b)]);
    expect([ra.status, rb.status]).toEqual([202, 202]);
    expect(await slow.conn.listBlocks(a.id)).toEqual(await slow.conn.listBlocks(b.id));
  });
});
