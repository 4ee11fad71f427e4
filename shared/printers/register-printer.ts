// An operator registers a printer: the record, an IoT identity confined to its own topics, and the configuration as
// the shadow's desired state. The device credentials are returned once and never stored by the platform.
import { Conflict } from '../errors.js';
import type { DeviceCredentials, PrinterIdentities, PrinterShadows, PrinterStore } from './ports.js';
import { publicPrinterView, type Printer, type RegisterPrinterInput } from './printer.js';

export async function registerPrinter(
  input: { operatorId: string; request: RegisterPrinterInput },
  deps: { printers: PrinterStore; identities: PrinterIdentities; shadows: PrinterShadows; newId: () => string; now: () => Date },
): Promise<{ printer: ReturnType<typeof publicPrinterView>; credentials: DeviceCredentials }> {
  const now = deps.now().toISOString();
  const printerId = `printer-${deps.newId()}`;
  const printer: Printer = {
    printerId,
    operatorId: input.operatorId,
    config: { ...input.request.config, version: 1 },
    terms: { ...input.request.terms, version: 1, createdAt: now },
    deviceKeys: input.request.deviceKeys,
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
  if (!(await deps.printers.create(printer))) throw new Conflict(`Printer ${printerId} already exists`);
  const credentials = await deps.identities.provision(printerId, { operator: input.operatorId, model: 'fdm' });
  await deps.shadows.setDesired(printerId, { config: printer.config });
  return { printer: publicPrinterView(printer), credentials };
}
