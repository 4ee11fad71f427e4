// LedgerBacklog on SQS: GetQueueAttributes on the ledger queue, and on its dead-letter queue found through the
// queue's own RedrivePolicy (so no second setting can point at the wrong queue).
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LedgerBacklog } from '../admin/operations.js';
import { reportUnavailable } from './aws-unavailable.js';

export class SqsLedgerBacklog implements LedgerBacklog {
  private deadLetterUrl?: Promise<string | undefined>;
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {
    reportUnavailable(sqs, 'SQS');
  }

  private async counts(url: string, extra: string[] = []) {
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', ...extra] as never }),
    );
    const a = out.Attributes ?? {};
    return { visible: Number(a.ApproximateNumberOfMessages ?? 0), notVisible: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), redrive: a.RedrivePolicy };
  }

  async depth() {
    const q = await this.counts(this.queueUrl, ['RedrivePolicy']);
    this.deadLetterUrl ??= this.findDeadLetters(q.redrive).catch((err: unknown) => {
      this.deadLetterUrl = undefined;
      throw err;
    });
    const dlqUrl = await this.deadLetterUrl;
    const dlq = dlqUrl ? await this.counts(dlqUrl) : undefined;
    return { waiting: q.visible, inFlight: q.notVisible, deadLetters: dlq ? dlq.visible + dlq.notVisible : 0 };
  }

  private async findDeadLetters(redrive: string | undefined): Promise<string | undefined> {
    if (!redrive) return undefined;
    const arn = (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    if (!arn) return undefined;
    const [, , , , account, name] = arn.split(':');
    return (await this.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))).QueueUrl;
  }
}
