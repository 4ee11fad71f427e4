// The ledger book's one read per step, with DynamoDB mocked: what DynamoDB Local never does is leave keys of a
// BatchGetItem unprocessed (throttling), so the retry of those keys, still strongly consistent, is checked here.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

describe('DynamoDbLedgerBook.load', () => {
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
});
