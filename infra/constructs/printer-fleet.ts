// Printers as IoT things: a thing type, one policy that confines every printer to its own topics (generated from
// the same topic list as the local broker's ACL), topic rules for telemetry and alerts, and a fleet metric of printers online.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { printerPolicyName, printerThingType, printerTopics } from '../platform.js';

const thing = '${iot:Connection.Thing.ThingName}';

export class PrinterFleet extends Construct {
  readonly thingType: iot.CfnThingType;
  readonly policy: iot.CfnPolicy;
  readonly telemetryLogs: logs.LogGroup;
  readonly printersOnline: iot.CfnFleetMetric;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const arn = (resource: string, name: string) => `arn:${stack.partition}:iot:${stack.region}:${stack.account}:${resource}/${name}`;
    this.thingType = new iot.CfnThingType(this, 'PrinterType', {
      thingTypeName: printerThingType,
      thingTypeProperties: { thingTypeDescription: 'A DPM 3D printer', searchableAttributes: ['operator', 'model'] },
    });
    this.policy = new iot.CfnPolicy(this, 'PrinterPolicy', {
      policyName: printerPolicyName,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', thing), Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: printerTopics.publish.map((t) => arn('topic', t.replaceAll('{thing}', thing))) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: printerTopics.subscribe.map((t) => arn('topic', t.replaceAll('{thing}', thing))) },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: printerTopics.subscribe.map((t) => arn('topicfilter', t.replaceAll('{thing}', thing))) },
        ],
      },
    });

    this.telemetryLogs = new logs.LogGroup(this, 'TelemetryLogs', { retention: logs.RetentionDays.ONE_MONTH });
    const ruleRole = new iam.Role(this, 'RuleRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    this.telemetryLogs.grantWrite(ruleRole);
    ruleRole.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': 'DPM' } } }));
    new iot.CfnTopicRule(this, 'TelemetryRule', {
      topicRulePayload: {
        description: 'Printer telemetry kept for a month, for support and disputes',
        sql: "SELECT *, topic(3) AS thingName, timestamp() AS receivedAt FROM 'dpm/printers/+/telemetry'",
        awsIotSqlVersion: '2016-03-23',
        actions: [{ cloudwatchLogs: { logGroupName: this.telemetryLogs.logGroupName, roleArn: ruleRole.roleArn } }],
      },
    });
    new iot.CfnTopicRule(this, 'AlertsRule', {
      topicRulePayload: {
        description: 'Printer alerts as a metric the alarms watch',
        sql: "SELECT topic(3) AS thingName FROM 'dpm/printers/+/alerts'",
        awsIotSqlVersion: '2016-03-23',
        actions: [{ cloudwatchMetric: { metricNamespace: 'DPM', metricName: 'PrinterAlerts', metricUnit: 'Count', metricValue: '1', roleArn: ruleRole.roleArn } }],
      },
    });
    // Lifecycle events count connects and disconnects per minute (flapping printers show here); the gauge of printers
    // online below comes from fleet indexing, because a count of connect events is not a count of connected printers.
    for (const [event, metricName] of [['connected', 'PrinterConnects'], ['disconnected', 'PrinterDisconnects']] as const) {
      new iot.CfnTopicRule(this, `Presence-${event}`, {
        topicRulePayload: {
          description: `Printer ${event} lifecycle events as a metric`,
          sql: `SELECT clientId FROM '$aws/events/presence/${event}/+'`,
          awsIotSqlVersion: '2016-03-23',
          actions: [{ cloudwatchMetric: { metricNamespace: 'DPM', metricName, metricUnit: 'Count', metricValue: '1', roleArn: ruleRole.roleArn } }],
        },
      });
    }
    // Fleet indexing with connectivity makes "printers online" a real gauge: a fleet metric counts connected things.
    const indexing = new cr.AwsCustomResource(this, 'FleetIndexing', {
      onUpdate: {
        service: 'Iot',
        action: 'updateIndexingConfiguration',
        parameters: { thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY', thingConnectivityIndexingMode: 'STATUS' } },
        physicalResourceId: cr.PhysicalResourceId.of('dpm-fleet-indexing'),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['iot:UpdateIndexingConfiguration'], resources: ['*'] })]),
      installLatestAwsSdk: false,
    });
    this.printersOnline = new iot.CfnFleetMetric(this, 'PrintersOnline', {
      metricName: 'dpm-printers-online',
      description: 'DPM printers connected right now',
      indexName: 'AWS_Things',
      queryString: 'thingTypeName:dpm-printer AND connectivity.connected:true',
      aggregationType: { name: 'Statistics', values: ['count'] },
      aggregationField: 'registry.version',
      period: 60,
      unit: 'Count',
    });
    this.printersOnline.node.addDependency(indexing);
    this.printersOnline.node.addDependency(this.thingType);
  }
}
