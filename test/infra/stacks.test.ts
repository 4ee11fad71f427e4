// The CDK app, synthesized in-process once: resources from the description, least-privilege grants, pinned
// logical IDs of stateful resources, cdk-nag with only reasoned acknowledgements, and routes/triggers that match
// the description.
import { Template, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgements, type WaivedFinding } from '../../infra/nag-acknowledgements.js';
import { boundEnvNames, functions, platform, type FunctionSpec } from '../../infra/platform.js';
import { buildApp, templateRoutesAndTriggers } from '../../infra/synth.js';
import { cdkOutdir } from '../support/cdk-outdir.js';

type Tpl = ReturnType<Template['toJSON']>;
let stateful: Template;
let application: Template;
let api: Template;
let printers: Template;
let observability: Template;
let web: Template;
let templates: Record<string, Tpl>;
let waived: WaivedFinding[];

const fnSpecs = functions as Record<string, FunctionSpec>;

function resourcesOf(t: Template, type: string): [string, { Properties: Record<string, unknown>; Metadata?: Record<string, string>; DeletionPolicy?: string }][] {
  return Object.entries(t.findResources(type)) as never;
}

function functionLogicalId(key: string): string {
  const found = resourcesOf(application, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['dpm:function'] === key);
  if (!found) throw new Error(`no function ${key}`);
  return found[0];
}

function policyStatementsOf(key: string): { Action: string | string[]; Resource: unknown }[] {
  const fnResource = application.toJSON().Resources[functionLogicalId(key)];
  const roleId = fnResource.Properties.Role['Fn::GetAtt'][0];
  const policies = resourcesOf(application, 'AWS::IAM::Policy').filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId));
  return policies.flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
}

const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

const outdir = cdkOutdir();

beforeAll(() => {
  const { app, nag, stacks } = buildApp({ outdir });
  const assembly = app.synth();
  waived = nag.waived;
  stateful = Template.fromStack(stacks.stateful);
  application = Template.fromStack(stacks.application);
  api = Template.fromStack(stacks.api);
  printers = Template.fromStack(stacks.printers);
  observability = Template.fromStack(stacks.observability);
  web = Template.fromStack(stacks.web);
  templates = Object.fromEntries(Object.values(stacks).map((s) => [s.stackName, assembly.getStackByName(s.stackName).template as Tpl]));
  // Synth bundles every function (over 60 now) with esbuild; on a busy 2-core machine that takes minutes.
}, 600_000);

describe('stateful stack', () => {
  it('has the described tables: keys, GSIs, TTL, PITR, CMK encryption, retained', () => {
    stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', Object.keys(platform.tables).length);
    stateful.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
      }),
    });
  });

  it('has a rotating data key and an Ed25519 signing key, both retained', () => {
    stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' }) });
    stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  it('encrypts buckets with the data key, blocks public access, expires quarantine, and retains them', () => {
    const buckets = resourcesOf(stateful, 'AWS::S3::Bucket').filter(([, b]) => (b.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] }).ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault.SSEAlgorithm === 'aws:kms');
    expect(buckets).toHaveLength(Object.keys(platform.buckets).length);
    for (const [, b] of buckets) {
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    }
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireQuarantine', Prefix: 'quarantine/', ExpirationInDays: 1 })]) },
      CorsConfiguration: Match.anyValue(),
    });
  });

  it('has the ledger FIFO queue with its dead-letter queue after 5 receives', () => {
    stateful.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
  });

  it('has a user pool with one group per role, and every stateful resource has an explicit removal policy', () => {
    const groups = resourcesOf(stateful, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName).sort();
    expect(groups).toEqual([...platform.userGroups].sort());
    const kinds = ['AWS::DynamoDB::GlobalTable', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::Cognito::UserPool', 'AWS::Events::EventBus'];
    for (const kind of kinds) for (const [id, r] of resourcesOf(stateful, kind)) expect(r.DeletionPolicy, id).toBe('Retain');
  });

  it('keeps the logical IDs of stateful resources (renaming one would replace it and lose its data)', () => {
    const kinds = ['AWS::DynamoDB::GlobalTable', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::Cognito::UserPool', 'AWS::Events::EventBus'];
    const ids = kinds.flatMap((k) => resourcesOf(stateful, k).map(([id]) => `${k} ${id}`)).sort();
    expect(ids).toMatchInlineSnapshot(`
      [
        "AWS::Cognito::UserPool UsersPoolBFC35D3B",
        "AWS::DynamoDB::GlobalTable TablesidempotencyA02207AE",
        "AWS::DynamoDB::GlobalTable Tablesmain9A3E3B42",
        "AWS::Events::EventBus MessagingBus52612CDD",
        "AWS::KMS::Key Keysdata1AE4B3AA",
        "AWS::KMS::Key KeysledgerSigningFA7CC4AC",
        "AWS::KMS::Key KeystagSigning2AF95C11",
        "AWS::S3::Bucket BucketsAccessLogsA5F88218",
        "AWS::S3::Bucket BucketsdesignsB00BEC5B",
        "AWS::S3::Bucket Bucketspreviews071F2AE3",
        "AWS::S3::Bucket BucketsprintFiles8E771A1F",
        "AWS::SQS::Queue Messagingledger24018440",
        "AWS::SQS::Queue MessagingledgerDlqA4D48FAB",
        "AWS::SQS::Queue Messagingwebhooks9C7ABA64",
        "AWS::SQS::Queue MessagingwebhooksDlq3257006F",
      ]
    `);
  });
});

describe('application stack', () => {
  it('keeps every stack well under CloudFormation’s 500 resources and 200 outputs', () => {
    for (const [name, t] of Object.entries(templates)) {
      expect(Object.keys(t.Resources ?? {}).length, name).toBeLessThan(450);
      expect(Object.keys((t as { Outputs?: object }).Outputs ?? {}).length, name).toBeLessThan(180);
    }
  });

  it('runs every described function on nodejs24.x / arm64 with exactly the variables its uses bind', () => {
    for (const [key, spec] of Object.entries(fnSpecs)) {
      const fn = application.toJSON().Resources[functionLogicalId(key)];
      expect(fn.Properties.Runtime, key).toBe('nodejs24.x');
      expect(fn.Properties.Architectures, key).toEqual(['arm64']);
      const env = Object.keys(fn.Properties.Environment.Variables).filter((v) => !['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'].includes(v));
      expect(env.sort(), key).toEqual(boundEnvNames(spec.uses, spec.responseStreaming).sort());
    }
  });

  it('routes every described route but the streaming ones (function URLs), with the JWT authorizer exactly on non-public ones', () => {
    const routes = resourcesOf(api, 'AWS::ApiGatewayV2::Route');
    const described = Object.values(fnSpecs).filter((f) => !f.responseStreaming).flatMap((f) => f.routes);
    expect(routes).toHaveLength(described.length);
    for (const r of described) {
      const found = routes.find(([, x]) => x.Properties.RouteKey === `${r.method} ${r.path}`);
      expect(found, `${r.method} ${r.path}`).toBeDefined();
      expect(found![1].Properties.AuthorizationType).toBe(r.auth.kind === 'public' ? 'NONE' : 'JWT');
    }
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: Match.objectLike({ Audience: Match.anyValue() }) });
  });

  it('grants least privilege: read-only functions cannot write, and only the ledger writer may sign with the ledger key (tags have their own)', () => {
    for (const key of ['whoAmI', 'health', 'getDesign', 'searchDesigns']) {
      const actions = actionsOf(policyStatementsOf(key));
      expect(actions, key).not.toContain('dynamodb:PutItem');
      expect(actions, key).not.toContain('kms:Sign');
    }
    expect(actionsOf(policyStatementsOf('updateMyProfile'))).toContain('dynamodb:PutItem');
    const signers = Object.keys(fnSpecs).filter((k) => actionsOf(policyStatementsOf(k)).includes('kms:Sign'));
    expect(signers.sort()).toEqual(['tagProduct', 'writeLedgerStep']);
    const signStatement = policyStatementsOf('writeLedgerStep').find((s) => actionsOf([s]).includes('kms:Sign'))!;
    expect(JSON.stringify(signStatement.Resource)).toContain('ledgerSigning');
    // Tags are signed with a key of their own: the tagging step can never sign a ledger transaction.
    const tagStatement = policyStatementsOf('tagProduct').find((s) => actionsOf([s]).includes('kms:Sign'))!;
    expect(JSON.stringify(tagStatement.Resource)).toContain('tagSigning');
    expect(JSON.stringify(tagStatement.Resource)).not.toContain('ledgerSigning');
    expect(actionsOf(policyStatementsOf('routeLedgerEvent')).filter((a) => a.startsWith('sqs:')).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  it('feeds the ledger writer from the FIFO queue with partial batch responses', () => {
    application.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 8 } });
  });

  it('routes ledger events by the described pattern', () => {
    application.hasResourceProperties('AWS::Events::Rule', { EventPattern: platform.eventRules.ledgerSteps.pattern });
  });
});

describe('web stack', () => {
  it('serves the built app from a private bucket through CloudFront (OAC), pages rewritten to index.html, HTTPS only', () => {
    web.hasResourceProperties('AWS::S3::Bucket', { PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } });
    // The bucket's, and the one that signs requests to the streaming routes' function URLs.
    web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
    const dist = resourcesOf(web, 'AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig as {
      DefaultCacheBehavior: { ViewerProtocolPolicy: string; FunctionAssociations: { FunctionARN: unknown }[] };
      CacheBehaviors: { PathPattern: string; AllowedMethods: string[]; ViewerProtocolPolicy: string; FunctionAssociations: unknown[] }[];
    };
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    const api = dist.CacheBehaviors.find((b) => b.PathPattern === '/api/*');
    expect(api?.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'PUT', 'DELETE', 'PATCH']));
    expect(api?.ViewerProtocolPolicy).toBe('https-only');
    expect(api?.FunctionAssociations).toHaveLength(1);
  });

  it('rewrites page paths to index.html but not files, and strips /api before the API sees the path', () => {
    const code = Object.fromEntries(resourcesOf(web, 'AWS::CloudFront::Function').map(([, f]) => [String(f.Properties.Name ?? ''), String(f.Properties.FunctionCode)]));
    const run = (src: string, uri: string) => {
      const handler = new Function(`${src}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
      return handler({ request: { uri } }).uri;
    };
    const spa = Object.values(code).find((c) => c.includes('index.html'))!;
    const strip = Object.values(code).find((c) => c.includes('substring(4)') && !c.includes('authorization'))!;
    expect(run(spa, '/01/04359999000019/21/abc')).toBe('/index.html');
    expect(run(spa, '/designs/dsg_1')).toBe('/index.html');
    expect(run(spa, '/assets/index-abc.js')).toBe('/assets/index-abc.js');
    expect(run(spa, '/config.json')).toBe('/config.json');
    expect(run(strip, '/api/orders/ord_1')).toBe('/orders/ord_1');
    expect(run(strip, '/api')).toBe('/');
  });

  it('deploys the build with a config.json naming the user pool, its web client and the region', () => {
    const deployments = resourcesOf(web, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(1);
    const text = JSON.stringify(deployments[0]![1].Properties);
    expect(text).toContain('config.json');
    // config.json is written at deploy time: its markers resolve to the stateful stack's pool and web client.
    expect(text).toMatch(/ExportsOutputRefUsersPool[0-9A-F]+/);
    expect(text).toMatch(/ExportsOutputRefUsersPoolWebClient[0-9A-F]+/);
  });
});

describe('printers, observability and checks', () => {
  it('confines each printer to its own topics through the thing-name policy variable', () => {
    const policy = resourcesOf(printers, 'AWS::IoT::Policy')[0]![1].Properties.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] };
    const text = JSON.stringify(policy);
    expect(text).toContain('${iot:Connection.Thing.ThingName}');
    expect(text).not.toContain('{thing}');
    expect(policy.Statement.map((s) => s.Action).sort()).toEqual(['iot:Connect', 'iot:Publish', 'iot:Receive', 'iot:Subscribe']);
    printers.resourceCountIs('AWS::IoT::ThingType', 1);
    printers.resourceCountIs('AWS::IoT::FleetMetric', 1);
  });

  it('turns printer telemetry into logs and presence events into metrics', () => {
    const rules = resourcesOf(printers, 'AWS::IoT::TopicRule').map(([, r]) => r.Properties.TopicRulePayload as { Sql: string; Actions: Record<string, { MetricName?: string }>[] });
    const bySql = (from: string) => rules.find((r) => r.Sql.includes(`FROM '${from}'`));
    expect(bySql('dpm/printers/+/telemetry')?.Actions[0]).toHaveProperty('CloudwatchLogs');
    expect(bySql('$aws/events/presence/connected/+')?.Actions[0]?.CloudwatchMetric?.MetricName).toBe('PrinterConnects');
    expect(bySql('$aws/events/presence/disconnected/+')?.Actions[0]?.CloudwatchMetric?.MetricName).toBe('PrinterDisconnects');
  });

  it('has the dashboard and alarms that page through an encrypted topic', () => {
    observability.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    observability.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const alarms = resourcesOf(observability, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(Object.keys(fnSpecs).length + 3);
    for (const [, a] of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    // A poison ledger step in the dead-letter queue pages at once.
    const dlqAlarm = alarms.find(([id]) => id.includes('LedgerDeadLetters'))![1].Properties;
    expect(dlqAlarm).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(JSON.stringify(dlqAlarm.Dimensions)).toContain('MessagingledgerDlq');
    const body = JSON.stringify(resourcesOf(observability, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody);
    for (const metric of ['LedgerCommitLatency', 'ApproximateAgeOfOldestMessage', '5xx', 'Throttles', 'dpm-printers-online']) expect(body).toContain(metric);
  });

  it('passes cdk-nag AwsSolutions with every waived finding explained, and no stale acknowledgement', () => {
    expect(waived.length).toBeGreaterThan(0);
    for (const w of waived) expect(w.reason.length, w.rule).toBeGreaterThan(30);
    for (const a of acknowledgements) expect(waived.some((w) => a.rule.test(w.rule) && a.path.test(w.path)), String(a.rule)).toBe(true);
  });

  it('has exactly the routes and triggers of the description', () => {
    const fromTemplate = templateRoutesAndTriggers(templates);
    const routes = Object.values(fnSpecs).flatMap((f) => f.routes.map((r) => `${r.method} ${r.path}`));
    const triggers = Object.entries(fnSpecs).flatMap(([k, f]) => f.triggers.map((t) => `${t.kind}:${t.kind === 'queue' ? t.queue : t.kind === 'rule' ? t.rule : t.kind === 'printerTopic' ? t.topic : t.workflow}->${k}`));
    expect(fromTemplate.routes.sort()).toEqual(routes.sort());
    expect(fromTemplate.triggers.sort()).toEqual(triggers.sort());
  });
});
