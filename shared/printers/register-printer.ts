// An operator registers a printer: the record, an IoT identity confined to its own topics, and the configuration as
// the shadow's desired state. The device credentials are returned once and never stored by the platform.
import { createHash } from 'node:crypto';
import { Conflict } from '../errors.js';
import type { DeviceCredentials, PrinterIdentities, PrinterShadows, PrinterStore } from './ports.js';
import { publicPrinterView, type Printer, type RegisterPrinterInput } from './printer.js';

export async function registerPrinter(
  input: { operatorId: string; request: RegisterPrinterInput },
  deps: { printers: PrinterStore; identities: PrinterIdentities; shadows: PrinterShadows; now: () => Date },
): Promise<{ printer: ReturnType<typeof publicPrinterView>; credentials: DeviceCredentials }> {
  const now = deps.now().toISOString();
  // The printer's id follows from its device's signing key: a retried registration names the same printer.
  const digest = createHash('sha256').update(`dpm-printer|${input.request.deviceKeys.signingKey}`).digest('hex');
  const printerId = `printer-${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
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
  if (!(await deps.printers.create(printer))) {
    const existing = await deps.printers.get(printerId);
    if (!existing || existing.operatorId !== input.operatorId || existing.deviceKeys.encryptionKey !== input.request.deviceKeys.encryptionKey) {
      throw new Conflict('This device is registered already');
    }
    // A retry (the first answer was lost): the same printer, with credentials handed out again.
    const credentials = await deps.identities.provision(printerId, { operator: input.operatorId, model: 'fdm' });
    await deps.shadows.setDesired(printerId, { config: existing.config });
    return { printer: publicPrinterView(existing), credentials };
  }
  const credentials = await deps.identities.provision(printerId, { operator: input.operatorId, model: 'fdm' });
  await deps.shadows.setDesired(printerId, { config: printer.config });
  return { printer: publicPrinterView(printer), credentials };
}
