// Wake-up calls for webhook deliveries on SQS (the `webhooks` queue of the description, a standard queue: deliveries
// are independent, so no ordering, and a duplicate message is absorbed by the worker's due-time check).
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryQueue } from '../partners/outbound-webhooks.js';
import { reportUnavailable } from './aws-unavailable.js';

/** SQS refuses a DelaySeconds above 15 minutes; longer waits are the worker's (message visibility, up to 12 h). */
const maxDelaySeconds = 900;

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {
    reportUnavailable(sqs, 'SQS');
  }

  async enqueue(deliveryId: string, delaySeconds: number) {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ deliveryId }), DelaySeconds: Math.min(maxDelaySeconds, Math.max(0, Math.round(delaySeconds))) }));
  }
}
