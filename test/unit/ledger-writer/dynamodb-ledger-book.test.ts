// The ledger book's one read per step, with DynamoDB mocked: what DynamoDB Local never does is leave keys of a
// BatchGetItem unprocessed (throttling), so the retry of those keys, still strongly consistent, is checked here; and
// committed records in the shape older writers left, which only a table that old holds.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLedgerBook } from '../../../shared/adapters/dynamodb-ledger-book.js';
import { DependencyUnavailable } from '../../../shared/errors.js';
import type { AssetState, StepRecord } from '../../../shared/ledger/ports.js';

const docMock = mockClient(DynamoDBDocumentClient);
const product: AssetState = { assetKey: 'product:p1', assetId: 'a'.repeat(64), tipTxId: 'b'.repeat(64), owner: 'k1' };
const design: AssetState = { assetKey: 'design:d1', assetId: 'c'.repeat(64), tipTxId: 'c'.repeat(64), owner: 'k2' };
const step = { eventId: 'printed:p1', status: 'pending' } as unknown as StepRecord;
const productKey = { pk: 'LEDGER#product:p1', sk: 'ASSET' };
const designKey = { pk: 'LEDGER#design:d1', sk: 'ASSET' };

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
      RequestItems: { idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }], ConsistentRead: true }, main: { Keys: [productKey, designKey], ConsistentRead: true } },
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
      RequestItems: { main: { Keys: [productKey], ConsistentRead: true }, idempotency: { Keys: [{ id: 'ledger-step:printed:p1' }], ConsistentRead: true } },
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
});
