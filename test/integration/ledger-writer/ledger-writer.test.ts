// The ledger writer with every real adapter: the local BigchainDB-compatible node behind a proxy that demands an
// auth header (as hosted networks do), the local KMS signing with the platform's Ed25519 key, custodial keys and
// bookkeeping in DynamoDB Local. Then `dpm verify` checks the result from the ledger alone, and offline. Crashes
// between the POST and the bookkeeping are a book that throws instead of completing.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../../cli/main.js';
import type { LedgerEvent } from '../../../events/ledger-events.js';
import { tables } from '../../../infra/platform.js';
import { startLedgerNode } from '../../../local/ledger/node.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { startKms } from '../../../local/servers/kms.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';
import { BigchainDbHttpLedger } from '../../../shared/adapters/bigchaindb-http-ledger.js';
import { DynamoDbCustodialKeys } from '../../../shared/adapters/dynamodb-custodial-keys.js';
import { DynamoDbLedgerBook } from '../../../shared/adapters/dynamodb-ledger-book.js';
import { KmsDataKeys } from '../../../shared/adapters/kms-data-keys.js';
import { KmsPlatformSigner } from '../../../shared/adapters/kms-platform-signer.js';
import { designAssetKey, participant, productAssetKey } from '../../../shared/ledger/ledger-model.js';
import { DependencyUnavailable } from '../../../shared/errors.js';
import { DoubleSpend, type PlannedStep } from '../../../shared/ledger/ports.js';
import type { Transaction } from '../../../shared/ledger/transaction.js';
import { writeLedgerStep } from '../../../shared/ledger/write-ledger-step.js';

const h = (c: string) => c.repeat(64);
const at = '2026-11-24T10:00:00.000Z';
const events: LedgerEvent[] = [
  { type: 'design.registered', version: 1, eventId: 'design.registered:d1', occurredAt: at, assetKey: 'd1', designId: 'd1', designerId: 'alice', fingerprint: h('a'), licenseTermsHash: h('b'), termsVersion: 1 },
  { type: 'product.printed', version: 1, eventId: 'printed:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', designId: 'd1', orderId: 'o1', printerId: 'printer-7', materialLot: 'PLA-2026-11', printParamsHash: h('c'), gcodeHash: h('d') },
  { type: 'product.tagged', version: 1, eventId: 'tagged:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', gtin: '09506000134352', serial: 'SN0001', tagKeyHash: h('e') },
  { type: 'product.shipped', version: 1, eventId: 'shipped:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', carrierId: 'carrier-1', trackingHash: h('f') },
  { type: 'product.delivered', version: 1, eventId: 'delivered:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', customerId: 'bob', confirmedBy: 'customer-scan' },
];

describe('the ledger writer on real adapters, and dpm verify', () => {
  let dir: string;
  let node: Awaited<ReturnType<typeof startLedgerNode>>;
  let kms: Awaited<ReturnType<typeof startKms>>;
  let proxy: Server;
  let proxyUrl: string;
  let refused = 0;
  /** What reached the ledger through the proxy ("GET /api/v1/transactions/<id>"), and what reached DynamoDB. */
  const ledgerRequests: string[] = [];
  const dynamoRequests: { command: string; input: Record<string, unknown> }[] = [];
  /** Both in the order sent, without the custodial keys' requests: "ledger POST …", "dynamo BatchGetItem". */
  const timeline: string[] = [];
  const custody = (input: Record<string, unknown>) => JSON.stringify(input.Key ?? input.Item ?? {}).includes('PARTICIPANT#');
  let deps: Parameters<typeof writeLedgerStep>[1];
  let book: DynamoDbLedgerBook;
  const dynamo = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
  const suffix = randomUUID();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-writer-'));
    node = await startLedgerNode({ port: 0, dataDir: join(dir, 'ledger'), blockIntervalMs: 10 });
    kms = await startKms({ port: 0, dataDir: join(dir, 'kms') });
    const target = new URL(node.url);
    // A hosted network that wants its app_id on every request, which the official driver would drop.
    proxy = createServer((req, res) => {
      ledgerRequests.push(`${req.method} ${req.url}`);
      timeline.push(`ledger ${req.method} ${req.url}`);
      if (req.headers.app_id !== 'dpm-test') {
        refused++;
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"missing app_id"}');
        return;
      }
      const forward = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    await provisionTables(dynamo, { main: tables.main, idempotency: tables.idempotency }, (k) => `${k}-${suffix}`);
    const kmsClient = new KMSClient({ endpoint: kms.url, region: localRegion, credentials: localCredentials });
    const signKey = await kms.createKey({ alias: 'alias/ledger', keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY', description: 'ledger' });
    const dataKey = await kms.createKey({ alias: 'alias/data', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', description: 'data' });
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        dynamoRequests.push({ command: context.commandName!, input: args.input as Record<string, unknown> });
        if (!custody(args.input as Record<string, unknown>)) timeline.push(`dynamo ${context.commandName!.replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    book = new DynamoDbLedgerBook(dynamo, `main-${suffix}`, `idempotency-${suffix}`);
    deps = {
      platform: new KmsPlatformSigner(kmsClient, signKey),
      custody: new DynamoDbCustodialKeys(dynamo, `main-${suffix}`, new KmsDataKeys(kmsClient, dataKey)),
      network: new BigchainDbHttpLedger(proxyUrl, { app_id: 'dpm-test' }),
      book,
    };
  });

  afterAll(async () => {
    await new Promise((r) => proxy?.close(r));
    await node?.close();
    await kms?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** An asset's tip as the writer reads it (the event id names no step). */
  const tipOf = async (assetKey: string) => (await book.load('none', [assetKey])).assets.get(assetKey);
  const assetTxCount = async (assetId: string) => {
    const res = await fetch(`${node.url}/api/v1/transactions?asset_id=${assetId}`);
    return ((await res.json()) as unknown[]).length;
  };
  /** A step record as DynamoDB holds it, every attribute. */
  const storedStep = async (eventId: string) => {
    const out = await dynamo.send(new GetItemCommand({ TableName: `idempotency-${suffix}`, Key: { id: { S: `ledger-step:${eventId}` } }, ConsistentRead: true }));
    return out.Item && unmarshall(out.Item).step;
  };
  /** A step's mark on its asset's item (`step:<eventId>`), where a TRANSFER is booked: the step as committed. */
  const markedStep = async (assetKey: string, eventId: string) => {
    const out = await dynamo.send(new GetItemCommand({ TableName: `main-${suffix}`, Key: { pk: { S: `LEDGER#${assetKey}` }, sk: { S: 'ASSET' } }, ConsistentRead: true }));
    const txId = out.Item?.[`step:${eventId}`]?.S;
    return txId === undefined ? undefined : { eventId, status: 'committed', txId };
  };
  /** The book, crashing where a Lambda might die: after the POST, before the bookkeeping. */
  const crashing = () =>
    Object.assign(Object.create(book) as DynamoDbLedgerBook, {
      complete: async () => {
        throw new Error('crashed before completing');
      },
    });
  const reset = () => {
    ledgerRequests.length = 0;
    dynamoRequests.length = 0;
    timeline.length = 0;
  };

  it('writes the story through an authenticating proxy, signed by KMS, and a full replay adds nothing', async () => {
    for (const e of events) expect((await writeLedgerStep(e, deps)).outcome).toBe('committed');
    const assetId = (await tipOf(productAssetKey('p1')))!.assetId;
    expect(await assetTxCount(assetId)).toBe(4);
    for (const e of events) expect((await writeLedgerStep(e, deps)).outcome).toBe('already-committed');
    expect(await assetTxCount(assetId)).toBe(4);
    expect(refused).toBe(0);
  });

  it('spends per fresh CREATE one BatchGetItem, the reservation (a conditional put) and one transaction, and one POST without a GET', async () => {
    ledgerRequests.length = 0;
    dynamoRequests.length = 0;
    const step: LedgerEvent = { type: 'product.printed', version: 1, eventId: 'printed:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', designId: 'd1', orderId: 'o2', printerId: 'printer-7', materialLot: 'PLA-2026-11', printParamsHash: h('c'), gcodeHash: h('9') };
    const { txId } = await writeLedgerStep(step, deps);
    expect(ledgerRequests).toEqual(['POST /api/v1/transactions?mode=commit']);
    // Custodial keys live in the same table; the book's own requests are the rest.
    const bookRequests = dynamoRequests.filter((r) => !custody(r.input));
    expect(bookRequests.map((r) => r.command)).toEqual(['BatchGetItemCommand', 'PutItemCommand', 'TransactWriteItemsCommand']);
    const assetKey = (k: string) => ({ pk: `LEDGER#${k}`, sk: 'ASSET' });
    expect(bookRequests[0]!.input.RequestItems).toEqual({
      [`idempotency-${suffix}`]: { Keys: [{ id: 'ledger-step:printed:p2' }], ConsistentRead: true },
      // Only this step's mark of each asset's item: the item keeps one per step committed on it.
      [`main-${suffix}`]: { Keys: [assetKey(productAssetKey('p2')), assetKey(designAssetKey('d1'))], ConsistentRead: true, ProjectionExpression: 'pk, #a, #s', ExpressionAttributeNames: { '#a': 'asset', '#s': 'step:printed:p2' } },
    });
    const loaded = await book.load('printed:p2', [productAssetKey('p2'), designAssetKey('d1'), designAssetKey('d-none')]);
    expect(loaded.step).toEqual({ eventId: 'printed:p2', status: 'committed', txId });
    // The reservation shrinks to the committed record, in the transaction that marks the step on the asset.
    expect(await storedStep('printed:p2')).toEqual({ eventId: 'printed:p2', status: 'committed', txId });
    expect(await markedStep(productAssetKey('p2'), 'printed:p2')).toEqual({ eventId: 'printed:p2', status: 'committed', txId });
    expect([...loaded.assets.keys()].sort()).toEqual([designAssetKey('d1'), productAssetKey('p2')].sort());
    expect(loaded.assets.get(productAssetKey('p2'))).toMatchObject({ assetId: txId, tipTxId: txId });
    expect(await book.load('never-seen', [])).toEqual({ step: undefined, assets: new Map() });
  });

  it('verifies from the ledger alone with dpm verify, and needs the header the network wants', async () => {
    const assetId = (await tipOf(productAssetKey('p1')))!.assetId;
    let out = '';
    const code = await main(['verify', assetId, '--ledger', proxyUrl, '--header', 'app_id: dpm-test'], (s) => (out += s), () => undefined);
    expect(code).toBe(0);
    expect(out).toContain('VERIFIED: 4 transactions');
    expect(out).toMatch(/Printed at .*\(block \d+\)/);
    expect(out).toContain('Delivered to its owner');
    let err = '';
    expect(await main(['verify', assetId, '--ledger', proxyUrl], () => undefined, (s) => (err += s))).toBe(1);
    expect(err).toContain('credentials');
  });

  it('writes a proof bundle that verifies offline, and catches an edited one', async () => {
    const assetId = (await tipOf(productAssetKey('p1')))!.assetId;
    const file = join(dir, 'bundle.json');
    expect(await main(['proof', assetId, '--ledger', node.url, '--out', file], () => undefined, () => undefined)).toBe(0);
    let json = '';
    expect(await main(['verify', '--bundle', file, '--json'], (s) => (json += s), () => undefined)).toBe(0);
    expect(JSON.parse(json)).toMatchObject({ verified: true, story: expect.any(Array) });
    const bundle = JSON.parse(await readFile(file, 'utf8'));
    bundle.transactions[1].metadata.serial = 'SN9999';
    await writeFile(join(dir, 'edited.json'), JSON.stringify(bundle));
    let out = '';
    expect(await main(['verify', '--bundle', join(dir, 'edited.json')], (s) => (out += s), () => undefined)).toBe(1);
    expect(out).toContain('NOT VERIFIED');
    expect(out).toContain('bundle hash does not match');
  });

  it('spends per fresh TRANSFER one BatchGetItem before its POST and one conditional update after: no reservation, no record', async () => {
    reset();
    const tagged: LedgerEvent = { type: 'product.tagged', version: 1, eventId: 'tagged:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', gtin: '09506000134369', serial: 'SN0002', tagKeyHash: h('e') };
    const { txId, outcome } = await writeLedgerStep(tagged, deps);
    expect(outcome).toBe('committed');
    expect(timeline).toEqual(['dynamo BatchGetItem', 'ledger POST /api/v1/transactions?mode=commit', 'dynamo UpdateItem']);
    expect((await tipOf(productAssetKey('p2')))!.tipTxId).toBe(txId);
    expect(await markedStep(productAssetKey('p2'), 'tagged:p2')).toEqual({ eventId: 'tagged:p2', status: 'committed', txId });
    expect(await storedStep('tagged:p2')).toBeUndefined();
    // The asset's item holds both steps' marks; a read for one step sees its own.
    expect(await markedStep(productAssetKey('p2'), 'printed:p2')).toMatchObject({ status: 'committed' });
    expect((await book.load('tagged:p2', [productAssetKey('p2')])).step).toEqual({ eventId: 'tagged:p2', status: 'committed', txId });
  });

  it('after a crash between POST and bookkeeping, the same event re-posts the same TRANSFER, which the ledger answers as done', async () => {
    const resale: LedgerEvent = { type: 'product.ownershipTransferred', version: 1, eventId: 'resold:p1', occurredAt: at, assetKey: 'p1', productId: 'p1', fromOwnerId: 'bob', toOwnerId: 'carol' };
    await expect(writeLedgerStep(resale, { ...deps, book: crashing() })).rejects.toThrow('crashed');
    const assetId = (await tipOf(productAssetKey('p1')))!.assetId;
    expect(await assetTxCount(assetId)).toBe(5);
    reset();
    const retry = await writeLedgerStep(resale, deps);
    expect(retry.outcome).toBe('already-committed');
    // BigchainDB refuses the second spend of the tip; the spender is our very transaction.
    expect(ledgerRequests).toEqual(['POST /api/v1/transactions?mode=commit', `GET /api/v1/transactions/${retry.txId}`]);
    expect(await assetTxCount(assetId)).toBe(5);
    expect((await tipOf(productAssetKey('p1')))!.tipTxId).toBe(retry.txId);
    expect(await markedStep(productAssetKey('p1'), resale.eventId)).toEqual({ eventId: resale.eventId, status: 'committed', txId: retry.txId });
  });

  const shipped: LedgerEvent = { type: 'product.shipped', version: 1, eventId: 'shipped:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', carrierId: 'carrier-1', trackingHash: h('f') };
  const delivered: LedgerEvent = { type: 'product.delivered', version: 1, eventId: 'delivered:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', customerId: 'bob', confirmedBy: 'customer-scan' };

  it('after a crash between POST and bookkeeping, adopts the TRANSFER an event re-published with other content wrote first', async () => {
    const before = (await tipOf(productAssetKey('p2')))!;
    await expect(writeLedgerStep(shipped, { ...deps, book: crashing() })).rejects.toThrow('crashed');
    const onLedger = await assetTxCount(before.assetId);
    const [first] = (await (await fetch(`${node.url}/api/v1/transactions?asset_id=${before.assetId}&last_tx=true`)).json()) as (Transaction & { id: string })[];
    expect(first!.metadata).toMatchObject({ eventId: 'shipped:p2', occurredAt: at });
    reset();
    const retry = await writeLedgerStep({ ...shipped, occurredAt: '2026-11-24T10:07:00.000Z' }, deps);
    expect(retry).toEqual({ txId: first!.id, outcome: 'already-committed' });
    expect(await assetTxCount(before.assetId)).toBe(onLedger);
    // The re-planned TRANSFER is refused as a double spend and is not on the ledger; the tip's spender is looked up.
    expect(ledgerRequests).toEqual([
      'POST /api/v1/transactions?mode=commit',
      expect.stringMatching(/^GET \/api\/v1\/transactions\/[0-9a-f]{64}$/),
      `GET /api/v1/transactions?asset_id=${before.assetId}&operation=TRANSFER`,
    ]);
    expect(ledgerRequests[1]).not.toBe(`GET /api/v1/transactions/${first!.id}`);
    expect(timeline.filter((t) => t.startsWith('dynamo'))).toEqual(['dynamo BatchGetItem', 'dynamo UpdateItem']);
    expect(await tipOf(productAssetKey('p2'))).toEqual({ ...before, tipTxId: first!.id, owner: first!.outputs[0]!.public_keys[0] });
    expect(await markedStep(productAssetKey('p2'), 'shipped:p2')).toEqual({ eventId: 'shipped:p2', status: 'committed', txId: first!.id });
  });

  it('refuses as a conflict another event spending the tip an unfinished step spent, and changes nothing', async () => {
    await expect(writeLedgerStep(delivered, { ...deps, book: crashing() })).rejects.toThrow('crashed');
    const tip = (await tipOf(productAssetKey('p2')))!;
    const onLedger = await assetTxCount(tip.assetId);
    const err = await writeLedgerStep({ ...delivered, eventId: 'delivered-twice:p2' }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoubleSpend);
    expect(await tipOf(productAssetKey('p2'))).toEqual(tip);
    expect(await storedStep('delivered-twice:p2')).toBeUndefined();
    expect(await markedStep(productAssetKey('p2'), 'delivered-twice:p2')).toBeUndefined();
    expect(await assetTxCount(tip.assetId)).toBe(onLedger);
    // The unfinished step itself still completes.
    const retry = await writeLedgerStep(delivered, deps);
    expect(retry.outcome).toBe('already-committed');
    expect((await tipOf(productAssetKey('p2')))!.owner).toBe(await deps.custody.publicKeyOf(participant.customer('bob')));
  });

  it('honours the step records older writers left: committed with the whole transaction, and a pending TRANSFER', async () => {
    const putStep = (step: unknown) => dynamo.send(new PutItemCommand({ TableName: `idempotency-${suffix}`, Item: marshall({ id: `ledger-step:${(step as PlannedStep).eventId}`, step }, { removeUndefinedValues: true }) }));
    // Committed, as writers before the small records left it.
    const taggedId = (await markedStep(productAssetKey('p2'), 'tagged:p2'))!.txId;
    const taggedTx = (await (await fetch(`${node.url}/api/v1/transactions/${taggedId}`)).json()) as Transaction & { id: string };
    const tip = (await tipOf(productAssetKey('p2')))!;
    await putStep({ eventId: 'tagged:p2', status: 'committed', tx: taggedTx, asset: { ...tip, tipTxId: taggedId }, previousTip: tip.assetId });
    reset();
    const tagged: LedgerEvent = { type: 'product.tagged', version: 1, eventId: 'tagged:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', gtin: '09506000134369', serial: 'SN0002', tagKeyHash: h('e') };
    expect(await writeLedgerStep(tagged, deps)).toEqual({ txId: taggedId, outcome: 'already-committed' });
    expect(timeline).toEqual(['dynamo BatchGetItem']);

    // Pending: a resale reserved by a writer that still reserved TRANSFERs, whose POST never went out.
    const resale: LedgerEvent = { type: 'product.ownershipTransferred', version: 1, eventId: 'resold:p2', occurredAt: at, assetKey: 'p2', productId: 'p2', fromOwnerId: 'bob', toOwnerId: 'carol' };
    let planned: (Transaction & { id: string }) | undefined;
    const offline = Object.assign(Object.create(deps.network) as BigchainDbHttpLedger, {
      commit: async (tx: Transaction & { id: string }) => {
        planned = tx;
        throw new Error('network down');
      },
    });
    await expect(writeLedgerStep(resale, { ...deps, network: offline })).rejects.toThrow('network down');
    const carol = await deps.custody.publicKeyOf(participant.customer('carol'));
    await putStep({ eventId: 'resold:p2', status: 'pending', tx: planned!, asset: { ...tip, tipTxId: planned!.id, owner: carol }, previousTip: tip.tipTxId });
    reset();
    // Other content, the recorded transaction all the same.
    const retry = await writeLedgerStep({ ...resale, occurredAt: '2026-11-24T12:00:00.000Z' }, deps);
    expect(retry).toEqual({ txId: planned!.id, outcome: 'committed' });
    expect(ledgerRequests).toEqual([`GET /api/v1/transactions/${planned!.id}`, 'POST /api/v1/transactions?mode=commit']);
    expect(await tipOf(productAssetKey('p2'))).toEqual({ ...tip, tipTxId: planned!.id, owner: carol });
    expect(await markedStep(productAssetKey('p2'), 'resold:p2')).toEqual({ eventId: 'resold:p2', status: 'committed', txId: planned!.id });
    // The older writer's record stays as it was; the mark on the asset outranks it, so another delivery is done at once.
    expect(await storedStep('resold:p2')).toMatchObject({ status: 'pending' });
    reset();
    expect(await writeLedgerStep(resale, deps)).toEqual({ txId: planned!.id, outcome: 'already-committed' });
    expect(timeline).toEqual(['dynamo BatchGetItem']);
  });

  it('a retry with other content while the first TRANSFER waits for its block is dropped; the next retry adopts the first', async () => {
    // A node of its own whose blocks come slowly, so the first POST stays in the mempool while the retry posts.
    const intervalMs = 1500;
    const slow = await startLedgerNode({ port: 0, dataDir: join(dir, 'slow-ledger'), blockIntervalMs: intervalMs });
    try {
      const slowDeps = { ...deps, network: new BigchainDbHttpLedger(slow.url) };
      const story: LedgerEvent[] = [
        { ...events[0]!, eventId: 'design.registered:d3', assetKey: 'd3', designId: 'd3' } as LedgerEvent,
        { ...events[1]!, eventId: 'printed:p3', assetKey: 'p3', productId: 'p3', designId: 'd3', orderId: 'o3' } as LedgerEvent,
        { ...events[2]!, eventId: 'tagged:p3', assetKey: 'p3', productId: 'p3', serial: 'SN0003' } as LedgerEvent,
      ];
      for (const e of story) await writeLedgerStep(e, slowDeps);
      const before = (await tipOf(productAssetKey('p3')))!;
      const shippedP3: LedgerEvent = { ...shipped, eventId: 'shipped:p3', assetKey: 'p3', productId: 'p3' };
      // An idle node holds a transaction for the whole interval before its block.
      await new Promise((r) => setTimeout(r, intervalMs + 200));
      const first = writeLedgerStep(shippedP3, { ...slowDeps, book: crashing() }).catch((e: unknown) => e);
      for (let i = 0; slow.stats().pending === 0; i++) {
        if (i > 200) throw new Error('the first TRANSFER never reached the mempool');
        await new Promise((r) => setTimeout(r, 2));
      }
      // The same event re-published with other content, delivered while the first attempt's block is not cut yet:
      // both spend the tip, the first in line wins the block, and the retry's POST fails as a dependency.
      const competing = await writeLedgerStep({ ...shippedP3, occurredAt: '2026-11-24T10:09:00.000Z' }, slowDeps).catch((e: unknown) => e);
      expect(competing).toBeInstanceOf(DependencyUnavailable);
      expect(((await first) as Error).message).toContain('crashed');
      expect(slow.stats().dropped).toBe(1);
      const transfers = (await (await fetch(`${slow.url}/api/v1/transactions?asset_id=${before.assetId}&operation=TRANSFER`)).json()) as (Transaction & { id: string })[];
      const firstTx = transfers.find((t) => t.metadata?.eventId === 'shipped:p3')!;
      expect(firstTx.metadata).toMatchObject({ occurredAt: at });
      // Nothing was booked: the first crashed after its POST, the retry failed. The next delivery adopts the first.
      expect(await tipOf(productAssetKey('p3'))).toEqual(before);
      const retry = await writeLedgerStep({ ...shippedP3, occurredAt: '2026-11-24T10:09:00.000Z' }, slowDeps);
      expect(retry).toEqual({ txId: firstTx.id, outcome: 'already-committed' });
      const after = (await (await fetch(`${slow.url}/api/v1/transactions?asset_id=${before.assetId}&operation=TRANSFER`)).json()) as unknown[];
      expect(after).toHaveLength(transfers.length);
      expect(await tipOf(productAssetKey('p3'))).toEqual({ ...before, tipTxId: firstTx.id, owner: firstTx.outputs[0]!.public_keys[0] });
      expect(await markedStep(productAssetKey('p3'), 'shipped:p3')).toEqual({ eventId: 'shipped:p3', status: 'committed', txId: firstTx.id });
    } finally {
      await slow.close();
    }
  });

  it('answers usage errors with exit code 2', async () => {
    let err = '';
    expect(await main(['verify', 'not-an-id', '--ledger', node.url], () => undefined, (s) => (err += s))).toBe(2);
    expect(err).toContain('asset id');
    expect(await main(['verify', h('a')], () => undefined, () => undefined)).toBe(2);
    expect(await main(['frobnicate'], () => undefined, () => undefined)).toBe(2);
    expect(await main(['verify', h('a'), '--ledger', node.url, '--header', 'nocolon'], () => undefined, () => undefined)).toBe(2);
    expect(await main(['verify', h('a'), '--ledger', node.url], () => undefined, () => undefined)).toBe(1);
  });
});
