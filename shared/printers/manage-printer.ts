// An operator's edits: the configuration goes to the printer as desired shadow state; terms are versioned, because
// orders record the version their customer accepted.
import { Conflict, NotFound } from '../errors.js';
import type { PrinterShadows, PrinterStore } from './ports.js';
import { assertOperator, nextConfig, nextTerms, publicPrinterView, type Printer, type PrinterConfigInput, type PrinterTermsInput } from './printer.js';

async function ownPrinter(printers: PrinterStore, printerId: string, operatorId: string): Promise<Printer> {
  const p = await printers.get(printerId);
  if (!p) throw new NotFound(`No printer ${printerId}`);
  assertOperator(p, operatorId);
  return p;
}

export async function updatePrinterConfig(
  input: { operatorId: string; printerId: string; config: PrinterConfigInput },
  deps: { printers: PrinterStore; shadows: PrinterShadows; now: () => Date },
) {
  const p = await ownPrinter(deps.printers, input.printerId, input.operatorId);
  const updated: Printer = { ...p, config: nextConfig(p, input.config), updatedAt: deps.now().toISOString(), revision: p.revision + 1 };
  if (!(await deps.printers.save(updated, p.revision))) throw new Conflict('The printer was changed by another request; reload and retry');
  await deps.shadows.setDesired(p.printerId, { config: updated.config });
  return publicPrinterView(updated);
}

export async function updatePrinterTerms(input: { operatorId: string; printerId: string; terms: PrinterTermsInput }, deps: { printers: PrinterStore; now: () => Date }) {
  const p = await ownPrinter(deps.printers, input.printerId, input.operatorId);
  const now = deps.now().toISOString();
  const updated: Printer = { ...p, terms: nextTerms(p, input.terms, now), updatedAt: now, revision: p.revision + 1 };
  if (!(await deps.printers.save(updated, p.revision))) throw new Conflict('The printer was changed by another request; reload and retry');
  return publicPrinterView(updated);
}

/** The operator's own printers, with what each one last reported (status, temperatures, material, alerts). */
export async function listMyPrinters(input: { operatorId: string }, deps: { printers: PrinterStore; shadows: PrinterShadows }) {
  const mine = await deps.printers.listByOperator(input.operatorId);
  return Promise.all(mine.map(async (p) => ({ ...publicPrinterView(p), deviceKeys: p.deviceKeys, reported: (await deps.shadows.reported(p.printerId)) ?? null })));
}

export async function listPrinters(deps: { printers: PrinterStore; shadows: PrinterShadows }) {
  const all = await deps.printers.list();
  return Promise.all(
    all.map(async (p) => {
      const reported = await deps.shadows.reported(p.printerId);
      const status = typeof reported?.status === 'string' ? reported.status : 'unknown';
      return publicPrinterView(p, { status, online: reported !== undefined && status !== 'offline' });
    }),
  );
}
