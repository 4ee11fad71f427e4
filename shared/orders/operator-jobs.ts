// An operator's jobs: the offers their printers hold for a decision, the job each is printing and the ones each just
// finished, as the printers' shadows list them and the orders confirm. A decision goes to the printer that holds the
// offer, never to the workflow: the printer answers the order itself, signed with its device key, so its answer
// stays the one source of truth of who prints what.
import { z } from 'zod';
import { Conflict, NotFound } from '../errors.js';
import type { PrinterMessages } from '../printers/printability-proof.js';
import type { PrinterShadows, PrinterStore } from '../printers/ports.js';
import type { Printer } from '../printers/printer.js';
import { orderIdOfJob, type Order, type PrintAttempt } from './order.js';
import type { OrderStore } from './ports.js';

export const JobDecisionInput = z.strictObject({
  decision: z.enum(['accept', 'reject']),
  /** Told to the workflow with a rejection (and so kept with the order's attempt). */
  reason: z.string().trim().max(200).optional(),
});
export type JobDecisionInput = z.infer<typeof JobDecisionInput>;

export type JobState = 'awaiting-decision' | 'offered' | 'printing' | 'completed' | 'failed' | 'rejected' | 'busy' | 'timed-out';

export interface OperatorJobView {
  jobId: string;
  orderId: string;
  printerId: string;
  printerName: string;
  state: JobState;
  designId: string;
  material: string;
  color?: string;
  offeredAt: string;
  /** What the operator is paid when the order is delivered: the printing fee and the shipping. */
  payoutCents: number;
  estimate: { printSeconds: number; grams: number };
  progress?: { layer: number; layers: number; percent: number };
  reason?: string;
}

interface Reported {
  job?: unknown;
  offers?: unknown;
  recent?: unknown;
  progress?: unknown;
}

const jobIdsOf = (list: unknown): string[] =>
  Array.isArray(list) ? list.flatMap((e) => (e && typeof e === 'object' && typeof (e as { jobId?: unknown }).jobId === 'string' ? [(e as { jobId: string }).jobId] : [])) : [];

function stateOf(order: Order, attempt: PrintAttempt, held: boolean): JobState {
  if (attempt.outcome === 'accepted') return 'printing';
  if (attempt.outcome) return attempt.outcome;
  const waitingHere = order.waiting?.step === 'dispatch' && order.waiting.jobId === attempt.jobId;
  return held && waitingHere ? 'awaiting-decision' : 'offered';
}

export async function listMyJobs(input: { operatorId: string }, deps: { printers: PrinterStore; shadows: PrinterShadows; orders: OrderStore }): Promise<OperatorJobView[]> {
  const mine = await deps.printers.listByOperator(input.operatorId);
  const perPrinter = await Promise.all(
    mine.map(async (printer) => {
      const reported = ((await deps.shadows.reported(printer.printerId)) ?? {}) as Reported;
      const held = new Set(jobIdsOf(reported.offers));
      const ids = [...new Set([...held, ...(typeof reported.job === 'string' ? [reported.job] : []), ...jobIdsOf(reported.recent)])];
      const jobs = await Promise.all(ids.map((jobId) => jobView(printer, jobId, held.has(jobId), reported, deps.orders)));
      return jobs.filter((j): j is OperatorJobView => j !== undefined);
    }),
  );
  // Decisions first, then what is printing, then the rest; newest first within each.
  const rank: Partial<Record<JobState, number>> = { 'awaiting-decision': 0, offered: 1, printing: 2 };
  return perPrinter.flat().sort((a, b) => (rank[a.state] ?? 3) - (rank[b.state] ?? 3) || b.offeredAt.localeCompare(a.offeredAt));
}

/** A job the printer's shadow names is shown only if its order offered it to that printer: a shadow is the device's word. */
async function jobView(printer: Printer, jobId: string, held: boolean, reported: Reported, orders: OrderStore): Promise<OperatorJobView | undefined> {
  const orderId = orderIdOfJob(jobId);
  const order = orderId ? await orders.get(orderId) : undefined;
  const attempt = order?.attempts.find((a) => a.jobId === jobId);
  if (!order || !attempt || attempt.printerId !== printer.printerId) return undefined;
  const p = reported.progress as { jobId?: unknown; layer?: unknown; layers?: unknown; percent?: unknown } | undefined;
  const progress =
    p && p.jobId === jobId && typeof p.layer === 'number' && typeof p.layers === 'number' && typeof p.percent === 'number' ? { layer: p.layer, layers: p.layers, percent: p.percent } : undefined;
  return {
    jobId,
    orderId: order.orderId,
    printerId: printer.printerId,
    printerName: printer.config.name,
    state: stateOf(order, attempt, held),
    designId: order.designId,
    material: order.material,
    ...(order.color ? { color: order.color } : {}),
    offeredAt: attempt.offeredAt,
    payoutCents: order.quote.printingFeeCents + order.quote.shippingCents,
    estimate: order.quote.estimate,
    ...(progress ? { progress } : {}),
    ...(attempt.reason ? { reason: attempt.reason } : {}),
  };
}

export async function decideJob(
  input: { operatorId: string; jobId: string } & JobDecisionInput,
  deps: { printers: PrinterStore; shadows: PrinterShadows; orders: OrderStore; messages: PrinterMessages },
): Promise<{ jobId: string; decision: JobDecisionInput['decision']; sentTo: string }> {
  const orderId = orderIdOfJob(input.jobId);
  const order = orderId ? await deps.orders.get(orderId) : undefined;
  const attempt = order?.attempts.find((a) => a.jobId === input.jobId);
  const printer = attempt ? await deps.printers.get(attempt.printerId) : undefined;
  // Another operator's job gets the answer an unknown job gets: job ids are not confirmed to strangers.
  if (!order || !attempt || !printer || printer.operatorId !== input.operatorId) throw new NotFound(`No job ${input.jobId} among your printers’ jobs`);
  if (attempt.outcome || order.waiting?.step !== 'dispatch' || order.waiting.jobId !== input.jobId) {
    throw new Conflict(`Job ${input.jobId} is no longer waiting for a decision (${attempt.outcome ?? 'the order moved on'})`);
  }
  const reported = ((await deps.shadows.reported(printer.printerId)) ?? {}) as Reported;
  if (!jobIdsOf(reported.offers).includes(input.jobId)) {
    throw new Conflict(`${printer.config.name} does not hold job ${input.jobId} for a decision: it may be offline or restarted, or it answered by itself`);
  }
  await deps.messages.publish(printer.printerId, 'decisions', { jobId: input.jobId, decision: input.decision, ...(input.reason ? { reason: input.reason } : {}) });
  return { jobId: input.jobId, decision: input.decision, sentTo: printer.printerId };
}
