// The event bus and the queues from the description. Each queue has a dead-letter queue after `maxReceiveCount`
// receives; FIFO queues keep each message group (one asset) in order.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../platform.js';

export class PlatformMessaging extends Construct {
  readonly bus: events.EventBus;
  readonly queues: Record<string, sqs.Queue> = {};
  readonly deadLetterQueues: Record<string, sqs.Queue> = {};

  constructor(scope: Construct, id: string, props: { busName: string; queues: Record<string, QueueSpec> }) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName });
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // The archive lets a lost consumer be replayed from the bus itself.
    this.bus.archive('Archive', { eventPattern: { source: ['dpm'] }, retention: Duration.days(30) });
    for (const [name, spec] of Object.entries(props.queues)) {
      const dlq = new sqs.Queue(this, `${name}Dlq`, {
        fifo: spec.fifo || undefined,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.deadLetterQueues[name] = dlq;
      this.queues[name] = new sqs.Queue(this, name, {
        fifo: spec.fifo || undefined,
        contentBasedDeduplication: false,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        ...(spec.retentionDays ? { retentionPeriod: Duration.days(spec.retentionDays) } : {}),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
  }
}
