// Builds the CDK app from the platform description. Used by `cdk synth` (bin/app.ts) and in-process by the tests.
import { App, Aspects, CfnResource, Validations, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { join } from 'node:path';
import { streamingPathPattern } from './constructs/streaming-urls.js';
import { AcknowledgedAwsSolutionsChecks } from './nag-acknowledgements.js';
import { platform } from './platform.js';
import { ApiStack } from './stacks/api-stack.js';
import { ApplicationStack } from './stacks/application-stack.js';
import { ObservabilityStack } from './stacks/observability-stack.js';
import { PrintersStack } from './stacks/printers-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { WebStack } from './stacks/web-stack.js';

export const stackNames = { stateful: 'DpmStateful', application: 'DpmApplication', api: 'DpmApi', printers: 'DpmPrinters', observability: 'DpmObservability', web: 'DpmWeb' } as const;

/** The web app's build output, which the web stack uploads (`npm run build:web` makes it). */
export const webAssetsDir = join(import.meta.dirname, '..', 'web', 'dist');

export function buildApp(opts: { outdir?: string; context?: Record<string, string> } = {}) {
  // Strong cross-stack references: a stateless stack can never delete an export the stateful stack still serves.
  const app = new App({ outdir: opts.outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...opts.context } });
  const nag = new AcknowledgedAwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  // The hosted BigchainDB network: its URL, and (context ledgerHeadersSecretArn) a Secrets Manager secret holding the
  // headers it authenticates with, read by the functions at cold start rather than written into their configuration.
  const ledger = {
    url: String(app.node.tryGetContext('ledgerUrl') ?? 'https://test.ipdb.io'),
    headers: '{}',
    headersSecretArn: (app.node.tryGetContext('ledgerHeadersSecretArn') as string | undefined) || undefined,
  };
  // A fixed region keeps synth offline and reproducible; the account comes from the deploying credentials.
  const env = { region: String(app.node.tryGetContext('region') ?? 'eu-west-1'), account: process.env.CDK_DEFAULT_ACCOUNT };
  const stateful = new StatefulStack(app, stackNames.stateful, { env, platform, description: 'DPM data: tables, keys, buckets, bus, queues, users' });
  const application = new ApplicationStack(app, stackNames.application, {
    env,
    platform,
    resources: stateful.resources,
    userPoolClient: stateful.users.client,
    ledger,
    // Stripe's secret API key and the webhook endpoint's signing secret, in Secrets Manager secrets the operator
    // creates (contexts stripeSecretArn and stripeWebhookSecretArn).
    payments: {
      stripeSecretArn: (app.node.tryGetContext('stripeSecretArn') as string | undefined) || undefined,
      stripeWebhookSecretArn: (app.node.tryGetContext('stripeWebhookSecretArn') as string | undefined) || undefined,
    },
    // The public verify site that product tags link to (context publicBaseUrl).
    publicBaseUrl: String(app.node.tryGetContext('publicBaseUrl') ?? 'https://dpm.example.com'),
    description: 'DPM functions, triggers and workflows',
  });
  const api = new ApiStack(app, stackNames.api, {
    env,
    functions: platform.functions,
    handlers: application.functions.functions,
    userPool: stateful.resources.userPool,
    client: stateful.users.client,
    description: 'DPM HTTP API: every described route, with the Cognito JWT authorizer',
  });
  const printers = new PrintersStack(app, stackNames.printers, { env, description: 'DPM printers on AWS IoT Core' });
  const observability = new ObservabilityStack(app, stackNames.observability, {
    env,
    description: 'DPM dashboard and alarms',
    observed: {
      api: api.http.api,
      functions: application.functions.functions,
      stateMachines: application.workflows.stateMachines,
      ledgerQueue: stateful.messaging.queues.ledger!,
      ledgerDeadLetters: stateful.messaging.deadLetterQueues.ledger!,
      printersOnlineMetricName: printers.fleet.printersOnline.metricName,
    },
  });
  const web = new WebStack(app, stackNames.web, {
    env,
    description: 'DPM web app on S3 behind CloudFront, with the API under /api',
    assetsDir: webAssetsDir,
    api: api.http.api,
    streamingRoutes: application.streaming.routes,
    userPoolId: stateful.resources.userPool.userPoolId,
    userPoolClientId: stateful.users.client.userPoolClientId,
  });
  Aspects.of(app).add(new DescriptionKeys(application, stateful));
  return { app, nag, stacks: { stateful, application, api, printers, observability, web } };
}

/**
 * Marks generated resources with the description key they came from (`dpm:function`, `dpm:queue`, ...), so tests and
 * tools can map a template back to the description without parsing logical IDs.
 */
class DescriptionKeys implements IAspect {
  constructor(
    private readonly application: ApplicationStack,
    private readonly stateful: StatefulStack,
  ) {}
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const mark = (kind: string, owners: Record<string, IConstruct>) => {
      for (const [key, c] of Object.entries(owners)) if (c.node.defaultChild === node) node.addMetadata(`dpm:${kind}`, key);
    };
    mark('function', this.application.functions.functions);
    mark('queue', this.stateful.messaging.queues);
    mark('workflow', this.application.workflows.stateMachines);
    for (const [key, rule] of Object.entries(this.application.triggers.rules)) if (rule.node.defaultChild === node) node.addMetadata('dpm:rule', key.split('->')[0]!);
  }
}

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, string> }>; Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }> };

/**
 * Route keys and triggers as the synthesized CloudFormation has them: `GET /health`, `queue:<q>-><fn>`,
 * `rule:<r>-><fn>`, `workflowTask:<w>-><fn>`. Compared against the running local platform by a test. A streaming
 * route counts only when it is wired end to end: a RESPONSE_STREAM function URL naming it (`dpm:routes`), and a
 * CloudFront behaviour with its path pattern whose origin is that URL.
 */
export function templateRoutesAndTriggers(templates?: Record<string, Template>): { routes: string[]; triggers: string[] } {
  const t = templates ?? synthesizedTemplates();
  const resources = Object.values(t).flatMap((tpl) => Object.entries(tpl.Resources ?? {}));
  const byId = new Map(resources);
  const metaOf = (id: string, kind: string) => byId.get(id)?.Metadata?.[`dpm:${kind}`];
  const exportsByName = new Map(Object.values(t).flatMap((tpl) => Object.values(tpl.Outputs ?? {}).filter((o) => o.Export).map((o) => [o.Export!.Name, o.Value] as const)));
  const refId = (v: unknown): string | undefined => {
    const o = v as Record<string, unknown> | undefined;
    if (!o) return undefined;
    if (typeof o.Ref === 'string') return o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return String(o['Fn::GetAtt'][0]);
    if (typeof o['Fn::ImportValue'] === 'string') return refId(exportsByName.get(o['Fn::ImportValue']));
    return undefined;
  };
  const routes: string[] = [];
  const triggers: string[] = [];
  const behaviourPatternsByUrl = streamingBehaviours(resources, refId);
  for (const [id, r] of resources) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::ApiGatewayV2::Route') routes.push(String(p.RouteKey));
    if (r.Type === 'AWS::Lambda::Url' && p.InvokeMode === 'RESPONSE_STREAM') {
      const patterns = behaviourPatternsByUrl.get(id) ?? [];
      for (const key of (r.Metadata?.['dpm:routes'] ?? '').split(',').filter(Boolean)) {
        if (patterns.includes(streamingPathPattern(key.slice(key.indexOf(' ') + 1)))) routes.push(key);
      }
    }
    if (r.Type === 'AWS::Lambda::EventSourceMapping') {
      triggers.push(`queue:${metaOf(refId(p.EventSourceArn)!, 'queue')}->${metaOf(refId(p.FunctionName)!, 'function')}`);
    }
    if (r.Type === 'AWS::Events::Rule') {
      for (const target of (p.Targets as { Arn: unknown }[]) ?? []) triggers.push(`rule:${r.Metadata?.['dpm:rule']}->${metaOf(refId(target.Arn)!, 'function')}`);
    }
    if (r.Type === 'AWS::IoT::TopicRule') {
      const topic = r.Metadata?.['dpm:printerTopic'];
      const actions = ((p.TopicRulePayload as { Actions?: { Lambda?: { FunctionArn: unknown } }[] })?.Actions ?? []).filter((a) => a.Lambda);
      if (topic) for (const a of actions) triggers.push(`printerTopic:${topic}->${metaOf(refId(a.Lambda!.FunctionArn)!, 'function')}`);
    }
    if (r.Type === 'AWS::StepFunctions::StateMachine') {
      for (const k of Object.keys((p.DefinitionSubstitutions as Record<string, unknown>) ?? {})) {
        if (k.startsWith('fn:')) triggers.push(`workflowTask:${metaOf(id, 'workflow')}->${k.slice(3)}`);
      }
    }
  }
  return { routes, triggers };
}

/** The path patterns of CloudFront behaviours whose origin is a function URL, by the URL's logical ID. */
function streamingBehaviours(resources: [string, { Type: string; Properties?: Record<string, unknown> }][], refId: (v: unknown) => string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  type Config = { Origins?: { Id: string; DomainName: unknown }[]; CacheBehaviors?: { PathPattern: string; TargetOriginId: string }[] };
  for (const [, r] of resources) {
    if (r.Type !== 'AWS::CloudFront::Distribution') continue;
    const config = (r.Properties?.DistributionConfig ?? {}) as Config;
    // A function URL origin's domain is the host of the URL: Fn::Select [2, Fn::Split ['/', <the URL>]].
    const urlOf = new Map((config.Origins ?? []).map((o) => [o.Id, refId((o.DomainName as { 'Fn::Select'?: [number, { 'Fn::Split': [string, unknown] }] })['Fn::Select']?.[1]?.['Fn::Split']?.[1])] as const));
    for (const b of config.CacheBehaviors ?? []) {
      const url = urlOf.get(b.TargetOriginId);
      if (url) out.set(url, [...(out.get(url) ?? []), b.PathPattern]);
    }
  }
  return out;
}

export function synthesizedTemplates(): Record<string, Template> {
  const { app, stacks } = buildApp();
  const assembly = app.synth();
  return Object.fromEntries(Object.values(stacks).map((s) => [s.stackName, assembly.getStackByName(s.stackName).template as Template]));
}
