// EventBridge → the ledger FIFO queue: one message group per asset keeps each product's memory in order; the event
// id is the deduplication id, so a re-published event is queued once.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { parseLedgerEvent } from '../../events/ledger-events.js';
import { sdkConfig } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { logger } from '../lib/observability.js';

const config = readConfig(awsClientConfig.extend({ QUEUE_LEDGER_URL: z.string().min(1) }));
const sqs = new SQSClient(sdkConfig(config));

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  const step = parseLedgerEvent(event.detail);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: config.QUEUE_LEDGER_URL,
      MessageBody: JSON.stringify(step),
      MessageGroupId: step.assetKey,
      MessageDeduplicationId: step.eventId,
    }),
  );
  logger.info('Ledger step queued', { eventId: step.eventId, type: step.type, assetKey: step.assetKey });
};
