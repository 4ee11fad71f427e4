// AWS IoT Core for the printer fleet.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PrinterFleet } from '../constructs/printer-fleet.js';

export class PrintersStack extends Stack {
  readonly fleet: PrinterFleet;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.fleet = new PrinterFleet(this, 'Fleet');
  }
}
