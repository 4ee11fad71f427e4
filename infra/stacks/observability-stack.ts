// Dashboards and alarms over the other stacks.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlatformObservability, type ObservedResources } from '../constructs/observability.js';

export class ObservabilityStack extends Stack {
  readonly observability: PlatformObservability;
  constructor(scope: Construct, id: string, props: StackProps & { observed: ObservedResources }) {
    super(scope, id, props);
    this.observability = new PlatformObservability(this, 'Observability', props.observed);
  }
}
