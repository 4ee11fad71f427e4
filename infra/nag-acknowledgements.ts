// Every cdk-nag finding we accept, each with its reason. Anything not listed here fails `cdk synth`.
import { Validations } from 'aws-cdk-lib';
import type { ApplicationStack } from './stacks/application-stack.js';
import type { ObservabilityStack } from './stacks/observability-stack.js';
import type { PrintersStack } from './stacks/printers-stack.js';
import type { StatefulStack } from './stacks/stateful-stack.js';

export function acknowledgeNagFindings(s: { stateful: StatefulStack; application: ApplicationStack; printers: PrintersStack; observability: ObservabilityStack }): void {
  void s;
}
