// SQS event-source plumbing shared by queue-triggered handlers: partial batch responses and retry backoff.
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { logger } from './observability.js';

/** Exponential backoff by receive count: 2 s, 4 s, 8 s … capped at 5 minutes (SQS allows up to 12 hours). */
export function backoffSeconds(receiveCount: number): number {
  return Math.min(300, 2 ** Math.max(1, receiveCount));
}

export function queueOfRecord(sqs: SQSClient) {
  const urls = new Map<string, Promise<string>>();
  return (record: SQSRecord): Promise<string> => {
    const [, , , , account, name] = record.eventSourceARN.split(':');
    let url = urls.get(record.eventSourceARN);
    if (!url) {
      url = sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })).then((o) => o.QueueUrl!);
      urls.set(record.eventSourceARN, url);
    }
    return url;
  };
}

/**
 * Runs each record in order; a failure delays that record by the backoff and reports it, and (FIFO) every later record
 * of the batch is reported too without being tried, so a message group never overtakes itself.
 */
export async function processBatch(records: SQSRecord[], sqs: SQSClient, handle: (record: SQSRecord) => Promise<void>): Promise<SQSBatchResponse> {
  const urlOf = queueOfRecord(sqs);
  const failures: string[] = [];
  for (const record of records) {
    if (failures.length) {
      failures.push(record.messageId);
      continue;
    }
    try {
      await handle(record);
    } catch (err) {
      failures.push(record.messageId);
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
      logger.warn('Record failed; it will be retried', { messageId: record.messageId, receiveCount, error: err as Error });
      try {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: await urlOf(record), ReceiptHandle: record.receiptHandle, VisibilityTimeout: backoffSeconds(receiveCount) }));
      } catch (visibilityError) {
        // Without the backoff the message still returns after the queue's visibility timeout.
        logger.warn('Could not set the retry backoff', { messageId: record.messageId, error: visibilityError as Error });
      }
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** What a record's handler asks of its message: nothing (it is deleted), or to come back after some seconds. */
export type RecordOutcome = void | { retryAfterSeconds: number };

/** SQS hides a received message for at most 12 hours. */
const maxVisibilitySeconds = 43_200;

/**
 * Runs independent records (a standard queue) side by side. A record whose handler asks to come back later is hidden
 * for that long and reported as failed, so the event source leaves it on the queue: a wait of up to 12 hours, in AWS
 * and in the local SQS alike, without a scheduler. A record whose handler throws backs off by its receive count.
 */
export async function processEach(records: SQSRecord[], sqs: SQSClient, handle: (record: SQSRecord) => Promise<RecordOutcome>): Promise<SQSBatchResponse> {
  const urlOf = queueOfRecord(sqs);
  const hide = async (record: SQSRecord, seconds: number) => {
    try {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: await urlOf(record), ReceiptHandle: record.receiptHandle, VisibilityTimeout: Math.min(maxVisibilitySeconds, Math.max(0, Math.ceil(seconds))) }));
    } catch (err) {
      // Without it the message still returns after the queue's visibility timeout, and is sent back to sleep then.
      logger.warn('Could not hide the record until its next turn', { messageId: record.messageId, error: err as Error });
    }
  };
  const failed = await Promise.all(
    records.map(async (record) => {
      try {
        const outcome = await handle(record);
        if (!outcome) return undefined;
        await hide(record, outcome.retryAfterSeconds);
        return record.messageId;
      } catch (err) {
        const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
        logger.warn('Record failed; it will be retried', { messageId: record.messageId, receiveCount, error: err as Error });
        await hide(record, backoffSeconds(receiveCount));
        return record.messageId;
      }
    }),
  );
  return { batchItemFailures: failed.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}
