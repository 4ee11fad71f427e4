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

/**
 * Whether a printer is there: its last report says it is, and is recent. A printer refreshes its report with each
 * telemetry tick (`heartbeatSeconds`); one that missed three ticks (and at least 90 s) died without saying so.
 */
export function presence(reported: Record<string, unknown> | undefined, now: Date): { online: boolean; status: string; lastReportAt: string | null } {
  const status = typeof reported?.status === 'string' ? reported.status : 'unknown';
  const at = typeof reported?.at === 'string' && !Number.isNaN(Date.parse(reported.at)) ? reported.at : null;
  if (!reported || status === 'offline') return { online: false, status: reported ? 'offline' : 'never connected', lastReportAt: at };
  // Reports from agents older than the `at` field carry no time: trusted as before, on their status alone.
  if (!at) return { online: true, status, lastReportAt: null };
  const beat = typeof reported.heartbeatSeconds === 'number' && reported.heartbeatSeconds > 0 ? reported.heartbeatSeconds : 60;
  const stale = now.getTime() - Date.parse(at) > Math.max(90, 3 * beat) * 1000;
  return stale ? { online: false, status: 'offline', lastReportAt: at } : { online: true, status, lastReportAt: at };
}

/** The operator's own printers, with what each one last reported (status, temperatures, material, alerts). */
export async function listMyPrinters(input: { operatorId: string }, deps: { printers: PrinterStore; shadows: PrinterShadows; now: () => Date }) {
  const mine = await deps.printers.listByOperator(input.operatorId);
  return Promise.all(
    mine.map(async (p) => {
      const reported = (await deps.shadows.reported(p.printerId)) ?? null;
      return { ...publicPrinterView(p), ...presence(reported ?? undefined, deps.now()), config: p.config, deviceKeys: p.deviceKeys, reported };
    }),
  );
}

export type MyPrinterView = Awaited<ReturnType<typeof listMyPrinters>>[number];

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
