// One NodejsFunction per function of the description. What a function `uses` becomes its environment variables and
// its IAM grants in the same step, so a function can never read a variable it has no permission behind, or the reverse.
import { Duration, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import { lambdaBundling } from '../bundling.js';
import { envName, printerPolicyName, printerThingType, type FunctionSpec } from '../platform.js';
import { cognitoIssuer } from './user-pool.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface StatefulResources {
  tables: Record<string, dynamodb.ITableV2>;
  buckets: Record<string, s3.IBucket>;
  keys: Record<string, kms.IKey>;
  queues: Record<string, sqs.IQueue>;
  /** Each queue's dead-letter queue, by the same key. */
  deadLetterQueues?: Record<string, sqs.IQueue>;
  bus: events.IEventBus;
  userPool: cognito.IUserPool;
  userPoolClient: cognito.IUserPoolClient;
}

export interface LedgerNetwork {
  url: string;
  /** JSON object of headers that are not secret. */
  headers: string;
  /** A Secrets Manager secret with the network's credentials as headers (a JSON object), if it needs any. */
  headersSecretArn?: string;
}

/** Stripe's API key lives in a Secrets Manager secret the operator creates; without it payments fail at cold start. */
export interface PaymentsSetup {
  stripeSecretArn?: string;
  /** The webhook endpoint's signing secret (`whsec_…`), in its own secret: only the webhook function may read it. */
  stripeWebhookSecretArn?: string;
}

export class PlatformFunctions extends Construct {
  readonly functions: Record<string, nodejs.NodejsFunction> = {};

  constructor(
    scope: Construct,
    id: string,
    props: { functions: Record<string, FunctionSpec>; resources: StatefulResources; ledger: LedgerNetwork; payments: PaymentsSetup; publicBaseUrl: string },
  ) {
    super(scope, id);
    const r = props.resources;
    for (const [key, spec] of Object.entries(props.functions)) {
      const fn = new nodejs.NodejsFunction(this, key, {
        entry: join(repoRoot, spec.entry),
        handler: 'handler',
        description: spec.description,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        tracing: lambda.Tracing.ACTIVE,
        logGroup: new logs.LogGroup(this, `${key}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
        projectRoot: repoRoot,
        depsLockFilePath: join(repoRoot, 'package-lock.json'),
        bundling: {
          format: nodejs.OutputFormat.ESM,
          target: lambdaBundling.target,
          minify: lambdaBundling.minify,
          sourceMap: lambdaBundling.sourceMap,
          externalModules: [...lambdaBundling.externalModules],
          banner: lambdaBundling.banner,
          logLevel: nodejs.LogLevel.ERROR,
        },
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'dpm',
          POWERTOOLS_METRICS_NAMESPACE: 'DPM',
        },
      });
      this.functions[key] = fn;
      const u = spec.uses;
      for (const [t, access] of Object.entries(u.tables ?? {})) {
        const table = r.tables[t]!;
        fn.addEnvironment(envName.table(t), table.tableName);
        if (access === 'read') table.grantReadData(fn);
        else table.grantReadWriteData(fn);
      }
      for (const [b, access] of Object.entries(u.buckets ?? {})) {
        const bucket = r.buckets[b]!;
        fn.addEnvironment(envName.bucket(b), bucket.bucketName);
        if (access === 'read') bucket.grantRead(fn);
        else bucket.grantReadWrite(fn);
      }
      for (const [k, use] of Object.entries(u.keys ?? {})) {
        const kmsKey = r.keys[k]!;
        fn.addEnvironment(envName.key(k), kmsKey.keyArn);
        if (use === 'encrypt') kmsKey.grant(fn, 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt');
        else if (use === 'decrypt') kmsKey.grant(fn, 'kms:Decrypt');
        else if (use === 'verify') kmsKey.grant(fn, 'kms:Verify', 'kms:GetPublicKey');
        else kmsKey.grant(fn, 'kms:Sign', 'kms:Verify', 'kms:GetPublicKey');
      }
      for (const [q, use] of Object.entries(u.queues ?? {})) {
        const queue = r.queues[q]!;
        fn.addEnvironment(envName.queue(q), queue.queueUrl);
        if (use === 'send') queue.grantSendMessages(fn);
        else {
          // Depths only: the queue's and its dead-letter queue's attributes (found through its RedrivePolicy).
          const dlq = r.deadLetterQueues?.[q];
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [queue.queueArn, ...(dlq ? [dlq.queueArn] : [])] }));
          if (dlq) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueUrl'], resources: [dlq.queueArn] }));
        }
      }
      if (u.eventBus) {
        fn.addEnvironment(envName.eventBus, r.bus.eventBusName);
        r.bus.grantPutEventsTo(fn);
      }
      if (u.userPool) {
        fn.addEnvironment(envName.userPool, r.userPool.userPoolId);
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminSetUserPassword', 'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminGetUser', 'cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup', 'cognito-idp:AdminListGroupsForUser', 'cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser', 'cognito-idp:ListUsers'],
            resources: [r.userPool.userPoolArn],
          }),
        );
      }
      // A streaming function sits behind its function URL, with no JWT authorizer, so it checks tokens itself too.
      if (u.optionalSignIn || spec.responseStreaming) {
        // Only the pool's public keys are read (over HTTPS, from the issuer): no IAM grant.
        fn.addEnvironment(envName.userPoolIssuer, cognitoIssuer(Stack.of(this).region, r.userPool.userPoolId));
        fn.addEnvironment(envName.userPoolClientId, r.userPoolClient.userPoolClientId);
      }
      if (u.printerIdentities) {
        fn.addEnvironment(envName.printerIdentities, JSON.stringify({ kind: 'iot-core', thingTypeName: printerThingType, policyName: printerPolicyName }));
        const arn = (resource: string) => Stack.of(this).formatArn({ service: 'iot', resource, resourceName: resource === 'policy' ? printerPolicyName : 'printer-*' });
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:CreateThing', 'iot:AttachThingPrincipal'], resources: [arn('thing')] }));
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:AttachPolicy'], resources: [arn('policy')] }));
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:DescribeThingType'], resources: [Stack.of(this).formatArn({ service: 'iot', resource: 'thingtype', resourceName: printerThingType })] }));
        // CreateKeysAndCertificate and DescribeEndpoint have no resource-level permissions.
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint'], resources: ['*'] }));
      }
      if (u.printerShadows) {
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:GetThingShadow', 'iot:UpdateThingShadow'], resources: [Stack.of(this).formatArn({ service: 'iot', resource: 'thing', resourceName: 'printer-*' })] }));
      }
      if (u.printerMessages) {
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [Stack.of(this).formatArn({ service: 'iot', resource: 'topic', resourceName: 'dpm/printers/printer-*' })] }));
      }
      if (u.payments) {
        fn.addEnvironment(envName.payments, JSON.stringify({ kind: 'stripe', apiKeySecretArn: props.payments.stripeSecretArn ?? '' }));
        if (props.payments.stripeSecretArn) {
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.payments.stripeSecretArn] }));
        }
      }
      if (u.paymentWebhooks) {
        fn.addEnvironment(envName.paymentWebhooks, JSON.stringify({ kind: 'stripe', endpointSecretArn: props.payments.stripeWebhookSecretArn ?? '' }));
        if (props.payments.stripeWebhookSecretArn) {
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.payments.stripeWebhookSecretArn] }));
        }
      }
      if (u.publicUrls) fn.addEnvironment(envName.publicBaseUrl, props.publicBaseUrl);
      if (u.ledger) {
        fn.addEnvironment(envName.ledgerUrl, props.ledger.url);
        fn.addEnvironment(envName.ledgerHeaders, props.ledger.headers);
        fn.addEnvironment(envName.ledgerHeadersSecret, props.ledger.headersSecretArn ?? '');
        if (props.ledger.headersSecretArn) {
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.ledger.headersSecretArn] }));
        }
      }
    }
  }

  /** Workflow bindings: the state machines' ARNs (built from their names, see PlatformWorkflows) and least grants. */
  bindWorkflows(arns: Record<string, string>, specs: Record<string, FunctionSpec>): void {
    const actions = {
      start: ['states:StartExecution'],
      respond: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      read: ['states:DescribeStateMachine', 'states:ListExecutions'],
    } as const;
    // DescribeExecution is granted on the state machine's executions, not on the state machine itself.
    const executionsOf = (arn: string) => `${arn.replace(':stateMachine:', ':execution:')}:*`;
    for (const [key, spec] of Object.entries(specs)) {
      const fn = this.functions[key]!;
      for (const [w, use] of Object.entries(spec.uses.workflows ?? {})) {
        const arn = arns[w]!;
        fn.addEnvironment(envName.workflow(w), arn);
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions[use]], resources: [arn] }));
        if (use === 'read') fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsOf(arn)] }));
      }
    }
  }

  static arnOf(scope: Construct, name: string): string {
    return Stack.of(scope).formatArn({ service: 'lambda', resource: 'function', resourceName: name });
  }
}
