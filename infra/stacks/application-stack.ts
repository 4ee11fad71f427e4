// The stateless application: functions, the HTTP API, the streaming routes' function URLs, triggers (the ledger writer's queue among them) and the
// workflows. Safe to destroy and redeploy at any time.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { PlatformFunctions, type LedgerNetwork, type PaymentsSetup, type StatefulResources } from '../constructs/functions.js';
import { PlatformStreamingUrls } from '../constructs/streaming-urls.js';
import { PlatformTriggers } from '../constructs/triggers.js';
import { PlatformWorkflows } from '../constructs/workflows.js';
import type { Platform } from '../platform.js';

export class ApplicationStack extends Stack {
  readonly functions: PlatformFunctions;
  readonly streaming: PlatformStreamingUrls;
  readonly workflows: PlatformWorkflows;
  readonly triggers: PlatformTriggers;

  constructor(
    scope: Construct,
    id: string,
    props: StackProps & { platform: Platform; resources: StatefulResources; userPoolClient: cognito.IUserPoolClient; ledger: LedgerNetwork; payments: PaymentsSetup; publicBaseUrl: string },
  ) {
    super(scope, id, props);
    const p = props.platform;
    this.functions = new PlatformFunctions(this, 'Functions', { functions: p.functions, resources: props.resources, ledger: props.ledger, payments: props.payments, publicBaseUrl: props.publicBaseUrl });
    const handlers = this.functions.functions;
    this.workflows = new PlatformWorkflows(this, 'Workflows', { workflows: p.workflows, functions: p.functions, handlers });
    this.functions.bindWorkflows(this.workflows.arns, p.functions);
    this.triggers = new PlatformTriggers(this, 'Triggers', { functions: p.functions, handlers, queues: props.resources.queues, bus: props.resources.bus, eventRules: p.eventRules });
    this.streaming = new PlatformStreamingUrls(this, 'Streaming', { functions: p.functions, handlers });
  }
}
