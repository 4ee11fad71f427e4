// Queue-triggered handlers' batch plumbing, with the SQS client mocked: backoff by receive count, partial batch
// responses, and FIFO order kept by failing the rest of a batch after a failure.
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { backoffSeconds, processBatch, processEach } from '../../../functions/lib/sqs.js';

const sqsMock = mockClient(SQSClient);
const record = (id: string, receiveCount: number): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: id,
  attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dpm-ledger.fifo',
  awsRegion: 'eu-west-1',
});

describe('processBatch', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dpm-ledger.fifo' });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  });

  it('backs off exponentially by receive count, up to five minutes', () => {
    expect([1, 2, 3, 5, 8, 20].map(backoffSeconds)).toEqual([2, 4, 8, 32, 256, 300]);
  });

  it('reports nothing when every record succeeds', async () => {
    const seen: string[] = [];
    const out = await processBatch([record('a', 1), record('b', 1)], new SQSClient({}), async (r) => void seen.push(r.body));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(['a', 'b']);
    expect(sqsMock).not.toHaveReceivedCommand(ChangeMessageVisibilityCommand);
  });

  it('delays a failed record by its backoff and fails the rest of the batch untried', async () => {
    const seen: string[] = [];
    const out = await processBatch([record('a', 1), record('b', 3), record('c', 1)], new SQSClient({}), async (r) => {
      seen.push(r.body);
      if (r.body === 'b') throw new Error('ledger down');
    });
    expect(seen).toEqual(['a', 'b']);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] });
    expect(sqsMock).toHaveReceivedCommandWith(GetQueueUrlCommand, { QueueName: 'dpm-ledger.fifo', QueueOwnerAWSAccountId: '123456789012' });
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'rh-b', VisibilityTimeout: 8 });
  });

  it('still reports the failure when the backoff cannot be set', async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(new Error('throttled'));
    const out = await processBatch([record('a', 1)], new SQSClient({}), async () => {
      throw new Error('boom');
    });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });
});

describe('processEach', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dpm-webhooks' });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  });

  it('hides a record for as long as its handler asks (capped at 12 h) and reports it; others are deleted; a throw backs off', async () => {
    const asks: Record<string, number | undefined> = { a: 3600, b: undefined, c: 90_000 };
    const out = await processEach([record('a', 1), record('b', 1), record('c', 1), record('d', 3)], new SQSClient({}), async (r) => {
      if (r.body === 'd') throw new Error('boom');
      const wait = asks[r.body];
      return wait === undefined ? undefined : { retryAfterSeconds: wait };
    });
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'c', 'd']);
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'rh-a', VisibilityTimeout: 3600 });
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'rh-c', VisibilityTimeout: 43_200 });
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'rh-d', VisibilityTimeout: 8 });
    expect(sqsMock).not.toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'rh-b' });
  });
});
