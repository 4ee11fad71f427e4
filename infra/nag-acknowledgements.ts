// cdk-nag AwsSolutions, with the findings we accept. Each acknowledgement names the rule (a pattern, because
// granular IAM5 findings embed generated export names), the construct paths it covers, and its reason. Anything
// else fails `cdk synth`. `acknowledgedFindings()` lists what was waived, for the tests and for review.
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  rule: RegExp;
  path: RegExp;
  reason: string;
}

const fn = String.raw`DpmApplication/Functions/[A-Za-z]+/ServiceRole/`;

export const acknowledgements: readonly Acknowledgement[] = [
  {
    rule: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/,
    path: new RegExp(`^(${fn}Resource|DpmPrinters/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource)$`),
    reason: 'AWSLambdaBasicExecutionRole only lets a function write its own CloudWatch logs; it is the narrowest AWS policy for that',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing), and for printer registration iot:CreateKeysAndCertificate and iot:DescribeEndpoint, have no resource-level permissions',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:iot:[a-z0-9-]+:<AWS::AccountId>:thing\/printer-\*\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'Printer things are created on registration, so their names are not known in advance; the grant is limited to the printer- prefix',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:iot:[a-z0-9-]+:<AWS::AccountId>:topic\/dpm\/printers\/printer-\*\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'Messages go to whichever registered printer a request names; publishing is limited to the printers topic tree',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::DpmStateful:ExportsOutputFnGetAttTables[A-Za-z0-9]+Arn[A-Za-z0-9]+\/index\/\*\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'Reading a table includes its GSIs (table-arn/index/*); scoped to tables the function uses',
  },
  {
    rule: /^AwsSolutions-IAM5\[Action::kms:(GenerateDataKey|ReEncrypt)\*\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'CDK grants these on the customer-managed key of a table the function writes: DynamoDB needs them to encrypt items under that one key',
  },
  {
    rule: /^AwsSolutions-IAM5\[(Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*|Resource::DpmStateful:ExportsOutputFnGetAttBuckets[A-Za-z0-9]+Arn[A-Za-z0-9]+\/\*)\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'Object access in a bucket the function uses (its objects are bucket-arn/*), with the CDK grant action groups; scoped to that bucket',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    path: /^DpmApplication\/Workflows\/[A-Za-z]+\/Role\/DefaultPolicy\/Resource$/,
    reason: 'A state machine with X-Ray tracing and log delivery needs xray:Put* and logs:*Delivery* actions, which have no resource-level permissions',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::<Functions[A-Za-z]+[0-9A-F]{8}\.Arn>:\*\]$/,
    path: /^DpmApplication\/Workflows\/[A-Za-z]+\/Role\/DefaultPolicy\/Resource$/,
    reason: 'The CDK invoke grant covers the versions and aliases of each task function (function-arn:*); only the functions the ASL names',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:[a-z0-9-]+:<AWS::AccountId>:execution:[A-Za-z0-9_-]+:\*\]$/,
    path: new RegExp(`^${fn}DefaultPolicy/Resource$`),
    reason: 'The admin dashboard describes the executions of the order state machine (state-machine-name:*), whose names are the orders’ ids; only that state machine',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    path: /^DpmApi\/Http\/Api\/GET--(health|designs|designs--\{designId\}|designs--\{designId\}--terms|designs--\{designId\}--printability|printers|openapi\.json|01--\{gtin\}--21--\{serial\}|products--\{productId\}--(epcis|passport))\/Resource$/,
    reason: 'A route the description marks public: health probes, the public catalogue, the API description, product verification and a product’s public memory (EPCIS events, passport) need no account',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    path: /^DpmApi\/Http\/Api\/GET--designs--\{designId\}--preview\/Resource$/,
    reason: 'A listed design’s 3D preview is public like its page: a coarse stand-in made at ingest, never the design; drafts’ previews are on the authorized /me route',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    path: /^DpmApi\/Http\/Api\/POST--webhooks--(carriers|suppliers)--\{partnerId\}\/Resource$/,
    reason: 'Partners’ webhooks carry no Cognito token: each is authenticated by its HMAC signature (Standard Webhooks) under the partner’s own secret',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    path: /^DpmApi\/Http\/Api\/POST--webhooks--stripe\/Resource$/,
    reason: 'Stripe’s webhooks carry no Cognito token: each is authenticated by its Stripe-Signature (HMAC-SHA256 with a timestamp) under the endpoint’s signing secret',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    path: /^DpmApi\/Http\/Api\/(GET|POST|PUT|DELETE)--partner--[A-Za-z0-9{}-]+\/Resource$/,
    reason: 'Partners’ own API (/partner/…) authenticates their API keys, which the JWT authorizer cannot check: every use case behind these routes checks the key’s hash, revocation and scope before anything else',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    path: /^DpmApi\/Http\/Api\/POST--signup\/Resource$/,
    reason: 'Opening an account cannot require one; the handler only makes designer, customer and printer-operator accounts, and the stage throttling applies',
  },
  {
    rule: /^AwsSolutions-CFR1$/,
    path: /^DpmWeb\/Site\/Distribution\/Resource$/,
    reason: 'The marketplace and the product pages its tags link to are for buyers and owners in every country: no geo restriction',
  },
  {
    rule: /^AwsSolutions-CFR2$/,
    path: /^DpmWeb\/Site\/Distribution\/Resource$/,
    reason: 'A CloudFront web ACL must be created in us-east-1 and is account policy (managed rule groups, rate limits); the operator attaches one at deploy time. The API behind /api keeps its own throttling',
  },
  {
    rule: /^AwsSolutions-CFR4$/,
    path: /^DpmWeb\/Site\/Distribution\/Resource$/,
    reason: 'Without a custom domain the distribution uses CloudFront’s default certificate, whose policy AWS fixes; a custom domain with an ACM certificate is a deploy-time choice of the operator',
  },
  {
    rule: /^AwsSolutions-(L1|IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]|IAM5\[(Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*|Resource::\*|Resource::<SiteAssets[0-9A-F]{8}\.Arn>\/\*|Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-[a-z0-9-]+\/\*)\])$/,
    path: /^DpmWeb\/Custom::CDKBucketDeployment[0-9A-F]+256MiB\/(Resource|ServiceRole\/Resource|ServiceRole\/DefaultPolicy\/Resource)$/,
    reason: 'The CDK’s own BucketDeployment function (runtime chosen by aws-cdk-lib): it copies the built web app from the CDK assets bucket into the site bucket and invalidates CloudFront, with the grants the CDK gives it',
  },
  {
    rule: /^AwsSolutions-SQS3$/,
    path: /^DpmApplication\/Triggers\/RuleDeadLetters\/Resource$/,
    reason: 'This queue is itself the dead-letter queue of the event rules’ Lambda targets',
  },
  {
    rule: /^AwsSolutions-COG2$/,
    path: /^DpmStateful\/Users\/Pool\/Resource$/,
    reason: 'MFA is optional (TOTP) so customers can buy without it; admin rights are given only to MFA-enrolled users',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    path: /^DpmPrinters\/Fleet\/(FleetIndexing\/CustomResourcePolicy|RuleRole\/DefaultPolicy)\/Resource$/,
    reason: 'iot:UpdateIndexingConfiguration is account-level and cloudwatch:PutMetricData has no resource-level permissions (it is conditioned on the DPM namespace)',
  },
];

export interface WaivedFinding {
  rule: string;
  path: string;
  reason: string;
}

/** AwsSolutionsChecks whose report leaves out the acknowledged findings and keeps a list of them. */
export class AcknowledgedAwsSolutionsChecks implements IPolicyValidationPlugin {
  readonly name: string;
  readonly waived: WaivedFinding[] = [];
  private readonly inner: AwsSolutionsChecks;

  constructor(scope: IConstruct) {
    this.inner = new AwsSolutionsChecks(scope, { verbose: true });
    this.name = this.inner.name;
  }

  get version() {
    return this.inner.version;
  }

  get ruleIds() {
    return this.inner.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.inner.validate(context);
    const violations: PolicyViolation[] = [];
    for (const v of report.violations) {
      const remaining = v.violatingResources.filter((r) => {
        const path = (r as { constructPath?: string }).constructPath ?? r.resourceLogicalId ?? '';
        const ack = acknowledgements.find((a) => a.rule.test(v.ruleName) && a.path.test(path));
        if (ack) this.waived.push({ rule: v.ruleName, path, reason: ack.reason });
        return !ack;
      });
      if (remaining.length) violations.push({ ...v, violatingResources: remaining });
    }
    return { ...report, violations, success: violations.length === 0 };
  }
}
