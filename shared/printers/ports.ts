// What the printers use cases need from outside.
import type { Printer } from './printer.js';

export interface PrinterStore {
  get(printerId: string): Promise<Printer | undefined>;
  create(printer: Printer): Promise<boolean>;
  save(printer: Printer, expectedRevision: number): Promise<boolean>;
  listByOperator(operatorId: string): Promise<Printer[]>;
  list(): Promise<Printer[]>;
}

/** How a printer proves who it is to the IoT broker: an X.509 certificate in AWS IoT Core, a password locally. */
export type DeviceCredentials =
  | { kind: 'x509'; certificatePem: string; privateKeyPem: string; certificateArn: string; endpoint: string }
  | { kind: 'password'; username: string; password: string; endpoint: string };

/** The IoT registry: a thing per printer, confined to its own topics by the printer policy. */
export interface PrinterIdentities {
  provision(thingName: string, attributes: Record<string, string>): Promise<DeviceCredentials>;
}

/** Device shadows: the operator's desired configuration out, the printer's reported state in. */
export interface PrinterShadows {
  setDesired(thingName: string, desired: Record<string, unknown>): Promise<void>;
  reported(thingName: string): Promise<Record<string, unknown> | undefined>;
}
