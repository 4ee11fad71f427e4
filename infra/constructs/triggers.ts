// Event-driven invocations from the description: queues through event source mappings (with partial batch
// responses, so one poison message does not hold back its batch) and event rules on the platform bus.
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventRuleSpec, FunctionSpec } from '../platform.js';

/** The description writes patterns as EventBridge JSON; the L2 Rule wants camelCase top-level keys. */
export function toEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pattern)) out[k === 'detail-type' ? 'detailType' : k] = v;
  return out as events.EventPattern;
}

export class PlatformTriggers extends Construct {
  readonly rules: Record<string, events.Rule> = {};
  readonly ruleDeadLetters: sqs.Queue;

  constructor(
    scope: Construct,
    id: string,
    props: {
      functions: Record<string, FunctionSpec>;
      handlers: Record<string, lambda.IFunction>;
      queues: Record<string, sqs.IQueue>;
      bus: events.IEventBus;
      eventRules: Record<string, EventRuleSpec>;
    },
  ) {
    super(scope, id);
    // Events a rule could not deliver after EventBridge's retries wait here instead of being dropped.
    this.ruleDeadLetters = new sqs.Queue(this, 'RuleDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    for (const [key, spec] of Object.entries(props.functions)) {
      const fn = props.handlers[key]!;
      // A function may listen on several printer topics: the first rule keeps the plain id (and its logical id).
      let topicRules = 0;
      for (const t of spec.triggers) {
        if (t.kind === 'queue') {
          fn.addEventSource(new SqsEventSource(props.queues[t.queue]! as sqs.Queue, { batchSize: t.batchSize, maxConcurrency: t.maxConcurrency, reportBatchItemFailures: true }));
        } else if (t.kind === 'rule') {
          const rule = new events.Rule(this, `${t.rule}-${key}`, {
            eventBus: props.bus,
            description: props.eventRules[t.rule]!.description,
            eventPattern: toEventPattern(props.eventRules[t.rule]!.pattern),
          });
          rule.addTarget(new targets.LambdaFunction(fn, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.ruleDeadLetters }));
          this.rules[`${t.rule}->${key}`] = rule;
        } else if (t.kind === 'printerTopic') {
          const suffix = topicRules++ === 0 ? '' : `-${topicRules}`;
          const topicRule = new iot.CfnTopicRule(this, `printerTopic-${key}${suffix}`, {
            topicRulePayload: {
              description: `Printer messages on ${t.topic} to ${key}`,
              sql: `SELECT *, topic() AS topic FROM '${t.topic}'`,
              awsIotSqlVersion: '2016-03-23',
              actions: [{ lambda: { functionArn: fn.functionArn } }],
            },
          });
          topicRule.addMetadata('dpm:printerTopic', t.topic);
          fn.addPermission(`IotRule-${key}${suffix}`, { principal: new iam.ServicePrincipal('iot.amazonaws.com'), sourceArn: topicRule.attrArn });
        }
      }
    }
  }
}
