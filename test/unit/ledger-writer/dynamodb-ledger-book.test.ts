// The ledger book's one read per step, with DynamoDB mocked: what DynamoDB Local never does is leave keys of a
// BatchGetItem unprocessed (throttling), so the retry of those keys, still strongly consistent, is checked here; and
// committed records in the shape older writers left, which only a table that old holds. Also the exact request each
// kind of step completes with (the integration test runs them against DynamoDB Local).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLedgerBook } from '../../../shared/adapters/dynamodb-ledger-book.js';
import { Conflict, DependencyUnavailable } from '../../../shared/errors.js';
import type { AssetState, PlannedStep, StepRecord } from '../../../shared/ledger/ports.js';

const docMock = mockClient(DynamoDBDocumentClient);
const product: AssetState = { assetKey: 'product:p1', assetId: 'a'.repeat(64), tipTxId: 'b'.repeat(64), owner: 'k1' };
const design: AssetState = { assetKey: 'design:d1', assetId: 'c'.repeat(64), tipTxId: 'c'.repeat(64), owner: 'k2' };
const step = { eventId: 'printed:p1', status: 'pending' } as unknown as StepRecord;
const productKey = { pk: 'LEDGER#product:p1', sk: 'ASSET' };
const designKey = { pk: 'LEDGER#design:d1', sk: 'ASSET' };
/** Only the asset and this step's mark of each asset's item. */
const marks = (eventId: string) => ({ ProjectionExpression: 'pk, #a, #s', ExpressionAttributeNames: { '#a': 'asset', '#s': `step:${eventId}` } });

describe('DynamoDbLedgerBook reads', () => {
  let book: DynamoDbLedgerBook;
  beforeEach(() => {
    docMock.reset();
    book = new DynamoDbLedgerBook(new DynamoDBClient({ region: 'eu-west-1' }), 'main', 'idempotency');
  });

  it('reads the step and the tips in one consistent BatchGetItem across both tables', async () => {
    docMock.on(BatchGetCommand).resolves({ Responses: { idempotency: [{ id: 'ledger-step:printed:p1', step }], main: [{ ...productKey, asset: product }] } });
    const out = await book.load('printed:p1', ['product:p1', 'design:d1', 'product:p1']);
    expect(out).toEqual({ step, assets: new Map([['product:p1', product]]) });
    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(docMock).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: { idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }], ConsistentRead: true }, main: { Keys: [productKey, designKey], ConsistentRead: true, ...marks('printed:p1') } },
    });
  });

  it('asks again, consistently, for the keys DynamoDB left unprocessed', async () => {
    docMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { idempotency: [], main: [{ ...designKey, asset: design }] }, UnprocessedKeys: { main: { Keys: [productKey] }, idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }] } } })
      .resolvesOnce({ Responses: { main: [{ ...productKey, asset: product }] }, UnprocessedKeys: { idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }] } } })
      .resolvesOnce({ Responses: { idempotency: [{ id: 'ledger-step:printed:p1', step }] }, UnprocessedKeys: {} });
    const out = await book.load('printed:p1', ['product:p1', 'design:d1']);
    expect(out).toEqual({ step, assets: new Map([['design:d1', design], ['product:p1', product]]) });
    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 3);
    expect(docMock).toHaveReceivedNthCommandWith(BatchGetCommand, 2, {
      RequestItems: { main: { Keys: [productKey], ConsistentRead: true, ...marks('printed:p1') }, idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }], ConsistentRead: true } },
    });
    expect(docMock).toHaveReceivedNthCommandWith(BatchGetCommand, 3, { RequestItems: { idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }], ConsistentRead: true } } });
  });

  it('leaves the step to the queue’s retry when keys stay unprocessed', async () => {
    docMock.on(BatchGetCommand).resolves({ Responses: {}, UnprocessedKeys: { idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }] } } });
    await expect(book.load('printed:p1', [])).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 6);
  });

  it('reads a committed record an older writer left with its whole transaction as the event id and the transaction id', async () => {
    const tx = { id: 'd'.repeat(64), version: '2.0', operation: 'TRANSFER', asset: { id: product.assetId }, metadata: { eventId: 'tagged:p1' }, inputs: [], outputs: [] };
    const old = { eventId: 'tagged:p1', status: 'committed', tx, asset: { ...product, tipTxId: tx.id }, previousTip: product.tipTxId };
    docMock.on(BatchGetCommand).resolves({ Responses: { idempotency: [{ id: 'ledger-step:tagged:p1', step: old }] } });
    docMock.on(GetCommand).resolves({ Item: { id: 'ledger-step:tagged:p1', step: old } });
    const committed: StepRecord = { eventId: 'tagged:p1', status: 'committed', txId: tx.id };
    expect((await book.load('tagged:p1', [])).step).toEqual(committed);
    expect(await book.step('tagged:p1')).toEqual(committed);
  });

  it('reads pending records and small committed records as they are', async () => {
    const committed: StepRecord = { eventId: 'tagged:p1', status: 'committed', txId: 'd'.repeat(64) };
    docMock.on(GetCommand).resolvesOnce({ Item: { id: 'ledger-step:printed:p1', step } }).resolvesOnce({ Item: { id: 'ledger-step:tagged:p1', step: committed } }).resolvesOnce({});
    expect(await book.step('printed:p1')).toEqual(step);
    expect(await book.step('tagged:p1')).toEqual(committed);
    expect(await book.step('never-seen')).toBeUndefined();
  });

  it('takes a step marked on its asset as committed, over a pending record in the idempotency table', async () => {
    docMock.on(BatchGetCommand).resolves({ Responses: { idempotency: [{ id: 'ledger-step:printed:p1', step }], main: [{ ...productKey, asset: product, 'step:printed:p1': 'e'.repeat(64) }] } });
    expect((await book.load('printed:p1', ['product:p1'])).step).toEqual({ eventId: 'printed:p1', status: 'committed', txId: 'e'.repeat(64) });
    // A mark for another step (what a projection would not return anyway) is not this step's.
    docMock.on(BatchGetCommand).resolves({ Responses: { idempotency: [], main: [{ ...productKey, asset: product, 'step:tagged:p1': 'e'.repeat(64) }] } });
    expect((await book.load('printed:p1', ['product:p1'])).step).toBeUndefined();
  });
});

describe('DynamoDbLedgerBook completes', () => {
  let book: DynamoDbLedgerBook;
  const tx = (id: string) => ({ id, version: '2.0', operation: 'TRANSFER', asset: { id: product.assetId }, metadata: null, inputs: [], outputs: [] }) as unknown as PlannedStep['tx'];
  const transfer: PlannedStep = { eventId: 'tagged:p1', status: 'pending', tx: tx('f'.repeat(64)), asset: { ...product, tipTxId: 'f'.repeat(64) }, previousTip: product.tipTxId };
  const create: PlannedStep = { eventId: 'printed:p1', status: 'pending', tx: tx(product.assetId), asset: { ...product, tipTxId: product.assetId } };
  beforeEach(() => {
    docMock.reset();
    book = new DynamoDbLedgerBook(new DynamoDBClient({ region: 'eu-west-1' }), 'main', 'idempotency');
  });

  it('moves a TRANSFER’s tip and marks its step in one conditional update of the asset’s item', async () => {
    docMock.on(UpdateCommand).resolves({});
    await book.complete(transfer);
    expect(docMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(docMock).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(docMock).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'main',
      Key: productKey,
      UpdateExpression: 'SET #a = :asset, #s = :new',
      ConditionExpression: '#a.#t IN (:prev, :new)',
      ExpressionAttributeNames: { '#a': 'asset', '#t': 'tipTxId', '#s': 'step:tagged:p1' },
      ExpressionAttributeValues: { ':asset': transfer.asset, ':new': transfer.tx.id, ':prev': product.tipTxId },
    });
  });

  it('answers a tip that moved on with a Conflict', async () => {
    docMock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(book.complete(transfer)).rejects.toBeInstanceOf(Conflict);
    docMock.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }));
    await expect(book.complete(create)).rejects.toBeInstanceOf(Conflict);
  });

  it('marks a CREATE on its new asset and shrinks its reservation to the committed record, together', async () => {
    docMock.on(TransactWriteCommand).resolves({});
    await book.complete(create);
    expect(docMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
    expect(docMock).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Update: {
            TableName: 'main',
            Key: productKey,
            UpdateExpression: 'SET #a = :asset, #s = :new',
            ConditionExpression: 'attribute_not_exists(pk) OR #a.#t = :new',
            ExpressionAttributeNames: { '#a': 'asset', '#t': 'tipTxId', '#s': 'step:printed:p1' },
            ExpressionAttributeValues: { ':asset': create.asset, ':new': product.assetId },
          },
        },
        { Put: { TableName: 'idempotency', Item: { id: 'ledger-step:printed:p1', step: { eventId: 'printed:p1', status: 'committed', txId: product.assetId } } } },
      ],
    });
  });
});
