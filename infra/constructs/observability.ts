// The admin's view of the platform: one dashboard, and alarms that page through an encrypted SNS topic.
import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ObservedResources {
  api: apigw.IHttpApi;
  functions: Record<string, lambda.IFunction>;
  stateMachines: Record<string, sfn.IStateMachine>;
  ledgerQueue: sqs.IQueue;
  ledgerDeadLetters: sqs.IQueue;
  printersOnlineMetricName: string;
}

export class PlatformObservability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, r: ObservedResources) {
    super(scope, id);
    // CloudWatch can only publish to a topic whose key policy lets it use the key, so not the AWS-managed SNS key.
    const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'DPM alarm topic' });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Subscribe to receive DPM alarms' });
    const page = new actions.SnsAction(this.alarmTopic);
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(page);
      this.alarms.push(a);
      return a;
    };

    const api5xx = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '5xx', dimensionsMap: { ApiId: r.api.apiId }, statistic: 'Sum', period: Duration.minutes(1) });
    const api4xx = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '4xx', dimensionsMap: { ApiId: r.api.apiId }, statistic: 'Sum', period: Duration.minutes(1) });
    const apiLatency = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensionsMap: { ApiId: r.api.apiId }, statistic: 'p99', period: Duration.minutes(1) });
    alarm('Api5xx', api5xx, 5, 'The API answered more than 5 server errors in a minute');

    const ledgerLatency = new cloudwatch.Metric({ namespace: 'DPM', metricName: 'LedgerCommitLatency', dimensionsMap: { service: 'dpm' }, statistic: 'p99', period: Duration.minutes(1) });
    const backlog = r.ledgerQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) });
    const backlogAge = r.ledgerQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) });
    const poison = r.ledgerDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    alarm('LedgerDeadLetters', poison, 0, 'A ledger step failed every retry and waits in the dead-letter queue');
    alarm('LedgerBacklogAge', backlogAge, 300, 'Ledger steps have waited more than 5 minutes');

    const printersOnline = new cloudwatch.Metric({ namespace: 'IoTFleetMetrics', metricName: r.printersOnlineMetricName, statistic: 'Maximum', period: Duration.minutes(1) });
    const printerAlerts = new cloudwatch.Metric({ namespace: 'DPM', metricName: 'PrinterAlerts', statistic: 'Sum', period: Duration.minutes(5) });
    const printerConnects = new cloudwatch.Metric({ namespace: 'DPM', metricName: 'PrinterConnects', statistic: 'Sum', period: Duration.minutes(5) });
    const printerDisconnects = new cloudwatch.Metric({ namespace: 'DPM', metricName: 'PrinterDisconnects', statistic: 'Sum', period: Duration.minutes(5) });

    const fnErrors = Object.entries(r.functions).map(([k, f]) => f.metricErrors({ label: k, period: Duration.minutes(1) }));
    const fnThrottles = Object.entries(r.functions).map(([k, f]) => f.metricThrottles({ label: k, period: Duration.minutes(1) }));
    for (const [k, f] of Object.entries(r.functions)) {
      alarm(`Errors-${k}`, f.metricErrors({ period: Duration.minutes(1) }), 3, `${k} failed more than 3 times in a minute`);
    }

    const wfStarted = Object.entries(r.stateMachines).map(([k, sm]) => sm.metricStarted({ label: `${k} started` }));
    const wfFailed = Object.entries(r.stateMachines).map(([k, sm]) => sm.metricFailed({ label: `${k} failed` }));
    for (const [k, sm] of Object.entries(r.stateMachines)) alarm(`WorkflowFailed-${k}`, sm.metricFailed({ period: Duration.minutes(5) }), 0, `A ${k} execution failed`);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: 'dpm' });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'API 4xx / 5xx', left: [api4xx, api5xx], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'API latency p99 (ms)', left: [apiLatency], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Workflow executions and failures', left: wfStarted, right: wfFailed, width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Ledger commit latency p99 (ms)', left: [ledgerLatency], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Ledger backlog', left: [backlog, poison], right: [backlogAge], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Printers online and alerts', left: [printersOnline], right: [printerAlerts, printerConnects, printerDisconnects], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Lambda errors', left: fnErrors, width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Lambda throttles', left: fnThrottles, width: 12 }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }
}
