// The `webhooks` queue → partners' endpoints: each message wakes one delivery for its next attempt. Between attempts
// the message stays on the queue, hidden until the next one is due (ChangeMessageVisibility, up to 12 h; the schedule
// never waits longer). This works the same on SQS and on the local SQS, needs no scheduler or table scan, and loses
// nothing: a message is deleted only once its delivery has settled, and a crash brings it back after the queue's
// visibility timeout.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { attemptDelivery, retrySchedule } from '../../shared/partners/outbound-webhooks.js';
import { processEach } from '../lib/sqs.js';
import { clock, partnerDataKeys, sqsClient, webhookDeliveries, webhookEndpoints, webhookSender } from './wiring.js';

const WakeUp = z.object({ deliveryId: z.string().min(1).max(64) });
const sqs = sqsClient();
const deps = { deliveries: webhookDeliveries(), endpoints: webhookEndpoints(), dataKeys: partnerDataKeys(), sender: webhookSender(), schedule: retrySchedule, ...clock };

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  processEach(event.Records, sqs, async (record) => {
    const next = await attemptDelivery(WakeUp.parse(JSON.parse(record.body)), deps);
    return next.kind === 'wake-later' ? { retryAfterSeconds: next.afterSeconds } : undefined;
  });
