// The steps of the order workflow (workflows/order.asl.json). Each step loads the order, does its part once and
// records that it did: a replayed step (a Lambda retry, a restarted execution) finds the order already advanced and
// changes nothing. Money moves under idempotency keys derived from the order, ledger events carry ids derived from
// it, and every change of the order record is a conditional write on its revision.
import { createHash } from 'node:crypto';
import type { LedgerEvents, OrderStore, PrintFiles, TaskCallbacks } from './ports.js';
import { euros, load, tell, tellAll, update, type Clock } from './order-records.js';
import { defaultPrintParams, jobIdFor, type Candidate, type PrintParams, maxBusyOffers, maxPrintAttempts, reached, type Order, type PrintAttempt } from './order.js';
import { rankedCandidates, type CatalogueDeps } from './place-order.js';
import { Conflict, NotFound, RuleViolation } from '../errors.js';
import { open, seal, type DataKeys } from '../crypto/envelope.js';
import { newTagIdentity } from '../tags/sun.js';
import type { TagStore } from '../tags/ports.js';
import type { Notifications } from './notifications.js';
import { designContext } from '../designs/ingest-design.js';
import type { BlobStore } from '../designs/ports.js';
import { parseStl } from '../designs/stl.js';
import type { LicenseReservations } from './licenses.js';
import type { PaymentGateway } from '../payments/payment-gateway.js';
import { releaseEntry, type Books } from '../payments/accounting.js';
import { payShare, type PayShareDeps } from '../payments/payout-accounts.js';
import { closeRefunded, releaseSplit, returnPayment, type ReturnPaymentDeps } from './refunds.js';
import type { PlatformSigner } from '../ledger/ports.js';
import type { PrinterMessages } from '../printers/printability-proof.js';
import { MaterialCertificateInput, type MaterialCertificates } from '../partners/material-certificates.js';
import type { PrinterStore } from '../printers/ports.js';
import type { DeviceSigningKeys } from '../printers/device-signing-keys.js';
import { declaredLot } from '../printers/printer.js';
import { verifyReport, type SignedReport } from '../printing/device-keys.js';
import { sealPrintFile } from '../printing/print-file-seal.js';
import type { GcodeMemo } from '../printing/gcode-memo.js';
import { slice } from '../slicing/slice.js';
import { toGcode } from '../slicing/gcode.js';
import { defaultSettings, SliceSettings } from '../slicing/printer-profile.js';
import { materialDensity } from '../designs/printability.js';

/** Named so the workflow can tell them apart (the Lambda error type is the class name). */
export class EditionSoldOut extends RuleViolation {}
export class PaymentDeclined extends RuleViolation {}
export class NoPrinterAvailable extends RuleViolation {}
/** After a busy answer, every matching printer is busy too (or just said so): the workflow waits before asking again. */
export class PrintersBusy extends Conflict {}
/** How long a printer's busy answer keeps it from being asked again at once for the same order. */
const busyMemoryMs = 10_000;

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const maxDesignBytes = 512 * 1024 * 1024;

// 1. A print from the design's edition.
export async function reserveLicense(input: { orderId: string }, deps: Clock & { orders: OrderStore; licenses: LicenseReservations }) {
  const order = await load(deps.orders, input.orderId);
  if (reached(order, 'licensed')) return { printNumber: order.printNumber ?? null };
  const r = await deps.licenses.reserve({ designId: order.designId, orderId: order.orderId });
  if (r.outcome === 'sold-out') throw new EditionSoldOut(`The edition of ${r.editionSize} prints of design ${r.designId} is sold out`);
  if (r.outcome === 'not-listed') throw new EditionSoldOut(`Design ${r.designId} is no longer for sale`);
  await update(deps.orders, order.orderId, deps.now, (o) => (reached(o, 'licensed') ? undefined : { ...o, status: 'licensed', printNumber: r.printNumber }), order);
  return { printNumber: r.printNumber };
}

// 2. The customer's money into escrow.
export async function chargeEscrow(input: { orderId: string }, deps: Clock & { orders: OrderStore; payments: PaymentGateway; books: Books }) {
  const order = await load(deps.orders, input.orderId);
  if (reached(order, 'paid')) return { chargeId: order.chargeId ?? null };
  const total = order.quote.totalCents;
  const result = await deps.payments.charge({ amountCents: total, currency: 'eur', paymentMethod: order.paymentMethod, transferGroup: order.orderId, idempotencyKey: `${order.orderId}:escrow` });
  if (result.status === 'declined') throw new PaymentDeclined(`${result.message} (${result.code})`);
  await deps.orders.linkCharge(result.chargeId, order.orderId);
  await deps.books.post({
    orderId: order.orderId,
    step: 'escrow',
    postings: [
      { account: `customer:${order.customerId}`, amountCents: -total },
      { account: 'escrow', amountCents: total },
    ],
    at: deps.now().toISOString(),
  });
  await update(deps.orders, order.orderId, deps.now, (o) => (reached(o, 'paid') ? undefined : { ...o, status: 'paid', chargeId: result.chargeId }), order);
  return { chargeId: result.chargeId };
}

export interface DispatchDeps extends Clock, CatalogueDeps {
  orders: OrderStore;
  callbacks: TaskCallbacks;
  designFiles: BlobStore;
  dataKeys: DataKeys;
  printFiles: PrintFiles;
  messages: PrinterMessages;
  /** G-code this instance made already (absent: every dispatch slices). */
  gcodeMemo?: GcodeMemo;
}

const outcomeOf = (lastError: { Error?: string } | null | undefined): PrintAttempt['outcome'] =>
  lastError?.Error === 'PrinterBusy' ? 'busy' : lastError?.Error === 'PrinterRejected' ? 'rejected' : lastError?.Error === 'PrintFailed' ? 'failed' : 'timed-out';

// 3. Offer the job to a printer (the workflow waits for its answer under `taskToken`). Called again after a rejection,
// a silent printer or a failed print, it offers the job to the next match, up to `maxPrintAttempts` printers in all.
export async function dispatchPrintJob(input: { orderId: string; taskToken: string; lastError?: { Error?: string; Cause?: string } | null }, deps: DispatchDeps) {
  let order = await load(deps.orders, input.orderId);
  if (order.status === 'refunded' || order.status === 'cancelled') throw new Conflict(`Order ${order.orderId} is ${order.status}`);
  const current = order.attempts.at(-1);
  if (current?.outcome === 'completed') {
    // Printed already (its report may have come in while this step was waiting): never a second print.
    await update(deps.orders, order.orderId, deps.now, (o) => (o.waiting?.token === input.taskToken ? undefined : { ...o, waiting: { step: 'dispatch', token: input.taskToken, jobId: current.jobId } }));
    await deps.callbacks.succeed(input.taskToken, { jobId: current.jobId, printerId: current.printerId });
    return { jobId: current.jobId, printerId: current.printerId };
  }
  const live = current !== undefined && (current.outcome === undefined || current.outcome === 'accepted');
  if (current && live && !input.lastError) {
    // Entered afresh while a job is out: a retried invocation, or an execution run again after a restart. The job
    // stays with its printer; this step only attaches its new token (and the printer is asked to confirm again).
    await update(deps.orders, order.orderId, deps.now, (o) => (o.waiting?.token === input.taskToken ? undefined : { ...o, waiting: { step: 'dispatch', token: input.taskToken, jobId: current.jobId } }));
    if (current.outcome) await deps.callbacks.succeed(input.taskToken, { jobId: current.jobId, printerId: current.printerId });
    // Offered again: the printer confirms a job it is printing, or repeats how it ended if that report was lost
    // while the platform was down; it never prints a job twice.
    await offer(order, current, deps);
    return { jobId: current.jobId, printerId: current.printerId };
  }
  if (current && live) {
    // The workflow caught the offer's or the print's failure (rejected, silent, failed) and asks for the next printer.
    order = await update(deps.orders, order.orderId, deps.now, (o) => {
      const last = o.attempts.at(-1);
      if (!last || (last.outcome && last.outcome !== 'accepted') || last.jobId !== current.jobId) return undefined;
      return { ...o, attempts: [...o.attempts.slice(0, -1), { ...last, outcome: outcomeOf(input.lastError), ...(input.lastError?.Cause ? { reason: input.lastError.Cause.slice(0, 300) } : {}) }] };
    });
  }
  const busy = order.attempts.filter((a) => a.outcome === 'busy').length;
  const real = order.attempts.length - busy;
  if (real >= maxPrintAttempts) throw new NoPrinterAvailable(`No printer printed order ${order.orderId} after ${real} offers`);
  if (busy >= maxBusyOffers) throw new NoPrinterAvailable(`Every printer for order ${order.orderId} stayed busy through ${busy} offers`);

  const design = await deps.designs.get(order.designId);
  if (!design || (design.status !== 'listed' && design.status !== 'withdrawn')) throw new RuleViolation(`Design ${order.designId} has no file to print`);
  // The customer's printer gets the first offer, whatever it reports (it answers busy or rejects if it cannot).
  const chosen = order.attempts.length === 0 && order.chosenPrinterId ? await deps.printers.get(order.chosenPrinterId) : undefined;
  // A printer that declined, went silent or failed is not asked again; a busy one may be, after the others.
  const tried = new Set(order.attempts.filter((a) => a.outcome !== 'busy').map((a) => a.printerId));
  const lastBusy = order.attempts.at(-1)?.outcome === 'busy' ? order.attempts.at(-1)!.printerId : undefined;
  const listed = { ...design, status: 'listed' as const };
  // An idle printer is asked first: a busy one would only answer busy (printers take one job at a time). After a busy
  // answer the workflow comes straight back here, so the next idle printer is asked at once; printers that answered
  // busy lately are left out of that, which bounds the round to the fleet, and with none idle it waits (PrintersBusy).
  // The ranking reads printers' presence only until it meets that idle printer.
  const at = deps.now().getTime();
  const busyLately = new Set(order.attempts.filter((a) => a.outcome === 'busy' && at - Date.parse(a.offeredAt) < busyMemoryMs).map((a) => a.printerId));
  const ranked: Candidate[] = [];
  let idle: Candidate | undefined;
  if (!chosen) {
    for await (const c of rankedCandidates(deps, listed, order.material, tried, `${order.orderId}.${order.attempts.length}`)) {
      ranked.push(c);
      if (c.queueLength === 0 && !busyLately.has(c.printer.printerId)) {
        idle = c;
        break;
      }
    }
  }
  if (!chosen && !idle && input.lastError?.Error === 'PrinterBusy') throw new PrintersBusy(`Every printer that can take order ${order.orderId} is busy`);
  const printer = chosen ?? (idle ?? ranked.find((c) => c.printer.printerId !== lastBusy) ?? ranked[0])?.printer;
  if (!printer) throw new NoPrinterAvailable(`No other printer can take order ${order.orderId}`);
  const jobId = jobIdFor(order.orderId, order.attempts.length);

  // The G-code is made for this printer's profile and sealed to its device key: nobody else can read it.
  const settings = sliceSettingsFor(order.material, order.printParams ?? defaultPrintParams);
  const printParamsHash = sha256(JSON.stringify({ profile: printer.config.profile, settings }));
  const makeGcode = async () => {
    const sealedStl = await deps.designFiles.get(design.stl.sealedKey);
    if (!sealedStl) throw new RuleViolation(`The sealed file of design ${design.designId} is missing`);
    const stl = await open(sealedStl, deps.dataKeys, designContext(design.designId));
    const { positions } = parseStl(stl, { maxBytes: maxDesignBytes });
    stl.fill(0);
    return new TextEncoder().encode(toGcode(slice(positions, printer.config.profile, settings), printer.config.profile, settings).gcode);
  };
  const memoized = deps.gcodeMemo !== undefined;
  const gcode = memoized ? await deps.gcodeMemo!.get(`${design.stl.fingerprint}|${printParamsHash}`, makeGcode) : await makeGcode();
  const { sealed, header } = sealPrintFile(gcode, { printerId: printer.printerId, publicKey: printer.deviceKeys.encryptionKey }, { jobId, expiresAt: new Date(deps.now().getTime() + 3 * 86_400_000) });
  if (!memoized) gcode.fill(0);
  await deps.printFiles.put(printFileKey(jobId), sealed, 'application/octet-stream');

  const offeredAt = deps.now().toISOString();
  const saved = await update(deps.orders, order.orderId, deps.now, (o) => {
    if (o.attempts.some((a) => a.jobId === jobId)) return { ...o, waiting: { step: 'dispatch', token: input.taskToken, jobId } };
    return {
      ...o,
      status: 'dispatched',
      attempts: [...o.attempts, { printerId: printer.printerId, jobId, offeredAt, gcodeSha256: header.gcodeSha256, printParamsHash }],
      waiting: { step: 'dispatch', token: input.taskToken, jobId },
    };
  }, order);
  if (saved.status === 'refunded' || saved.status === 'cancelled') throw new Conflict(`Order ${order.orderId} is ${saved.status}`);
  await offer(saved, saved.attempts.at(-1)!, deps);
  return { jobId, printerId: printer.printerId };
}

const printFileKey = (jobId: string) => `jobs/${jobId}/print.gcode.sealed`;

/** Sends (or sends again) a job to its printer: a short-lived link to the print file sealed for it, and its hash. */
async function offer(order: Order, attempt: PrintAttempt, deps: Pick<DispatchDeps, 'printFiles' | 'messages'>) {
  const printFileUrl = await deps.printFiles.presignDownload(printFileKey(attempt.jobId), 3600);
  await deps.messages.publish(attempt.printerId, 'jobs', { jobId: attempt.jobId, printFileUrl, gcodeSha256: attempt.gcodeSha256, material: order.material, ...(order.color ? { color: order.color } : {}) });
}

export type JobReport = {
  thing: string;
  at: string;
  jobId: string;
  event?: 'accepted' | 'rejected' | 'completed' | 'failed';
  reason?: string;
  /** With `rejected`: the printer is printing another job, not refusing this one. */
  busy?: boolean;
  materialLot?: string;
  percent?: number;
  /** Progress reports: the layer just finished (1-based) of how many, and the printer's estimate of the time left. */
  layer?: number;
  layers?: number;
  remainingSeconds?: number;
};

const count = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

// From the printers' `status` and `progress` topics: answers to offers, progress as heartbeats, and the end of a print.
// Reports must be signed with the device key of the printer the job was offered to.
export async function recordJobReport(input: { thing: string; signed: SignedReport<JobReport> }, deps: Clock & { orders: OrderStore; signingKeys: Pick<DeviceSigningKeys, 'of'>; callbacks: TaskCallbacks }) {
  const report = input.signed.report;
  if (!report || report.thing !== input.thing || typeof report.jobId !== 'string') throw new RuleViolation('A job report names its printer and job');
  const signingKey = await deps.signingKeys.of(input.thing);
  if (!signingKey || !verifyReport(input.signed, signingKey)) throw new RuleViolation(`The report of ${input.thing} is not signed by its device key`);
  const orderId = /^(ord_[0-9a-f]{24})\.\d+$/.exec(report.jobId)?.[1];
  if (!orderId) return { handled: false };
  const order = await deps.orders.get(orderId);
  const attempt = order?.attempts.find((a) => a.jobId === report.jobId);
  if (!order || !attempt || attempt.printerId !== input.thing) throw new RuleViolation(`Job ${report.jobId} was not offered to ${input.thing}`);
  const waiting = order.waiting?.jobId === report.jobId ? order.waiting : undefined;

  if (report.event === undefined) {
    // Progress while printing, or an offer its printer holds for its operator's decision: either keeps the step alive.
    if (waiting) await deps.callbacks.heartbeat(waiting.token);
    if (count(report.layer) && count(report.layers) && report.layer <= report.layers && count(report.remainingSeconds) && !Number.isNaN(Date.parse(report.at))) {
      const progress = { jobId: report.jobId, layer: report.layer, layers: report.layers, percent: count(report.percent) ? Math.min(100, report.percent) : (100 * report.layer) / report.layers, remainingSeconds: report.remainingSeconds, at: report.at };
      // Kept on the order for its tracking page; reports arrive out of order, so only a later layer of the current
      // job replaces what is there, and an ended job keeps its last word.
      await update(deps.orders, orderId, deps.now, (o) => {
        if (o.attempts.at(-1)?.jobId !== report.jobId || o.printResult?.jobId === report.jobId) return undefined;
        if (o.progress?.jobId === report.jobId && o.progress.layer >= progress.layer) return undefined;
        return { ...o, progress };
      }, order);
    }
    return { handled: true };
  }
  if (report.event === 'accepted' || report.event === 'rejected') {
    // The answer only moves the workflow on; the step it moves to records it (the Print step an acceptance, the
    // Dispatch step, entered again with the error, a refusal), in the write it makes anyway. Writing it here too cost
    // a write per offer, and raced that step's. A repeated answer finds the token closed, which changes nothing.
    if (waiting?.step !== 'dispatch') return { handled: true };
    if (report.event === 'accepted') await deps.callbacks.succeed(waiting.token, { jobId: report.jobId, printerId: input.thing });
    else await deps.callbacks.fail(waiting.token, report.busy ? 'PrinterBusy' : 'PrinterRejected', report.reason ?? 'rejected');
    return { handled: true };
  }
  // completed or failed: hand it to the print step now, or leave it for the print step to pick up.
  // A lot is kept only if it is one (a supplier's lot id): it becomes a ledger field and a key to look certificates up.
  const lot = MaterialCertificateInput.shape.lotId.safeParse(report.materialLot);
  const result = { jobId: report.jobId, outcome: report.event, ...(report.reason ? { reason: report.reason } : {}), ...(lot.success ? { materialLot: lot.data } : {}) };
  const saved = await update(deps.orders, orderId, deps.now, (o) =>
    o.printResult?.jobId === report.jobId
      ? undefined
      : { ...o, printResult: result, attempts: o.attempts.map((a) => (a.jobId === report.jobId ? { ...a, outcome: report.event as 'completed' | 'failed', ...(report.reason ? { reason: report.reason } : {}) } : a)) },
    order,
  );
  if (saved.waiting?.jobId === report.jobId) {
    if (saved.waiting.step === 'print') await finishPrint(saved, saved.waiting.token, deps);
    // The job's end reached us while the workflow still waited for its acceptance (the acceptance was lost, say, in
    // a restart): a finished job was accepted. The print step then finds the result waiting for it.
    else if (saved.waiting.step === 'dispatch') {
      if (report.event === 'completed') await deps.callbacks.succeed(saved.waiting.token, { jobId: report.jobId, printerId: input.thing });
      else await deps.callbacks.fail(saved.waiting.token, 'PrintFailed', report.reason ?? 'the print failed');
    }
  }
  return { handled: true };
}

async function finishPrint(order: Order, token: string, deps: { callbacks: TaskCallbacks }) {
  const r = order.printResult!;
  if (r.outcome === 'completed') await deps.callbacks.succeed(token, { jobId: r.jobId });
  else await deps.callbacks.fail(token, 'PrintFailed', r.reason ?? 'the print failed');
}

// 4. Wait for the accepted job to be printed; progress reports keep the step alive. `accepted` is what the Dispatch
// step ended with: the job its printer took, recorded here (see recordJobReport).
export async function awaitPrint(input: { orderId: string; taskToken: string; accepted?: { jobId: string } | null }, deps: Clock & { orders: OrderStore; callbacks: TaskCallbacks }) {
  const saved = await update(deps.orders, input.orderId, deps.now, (o) => {
    const job = o.attempts.at(-1);
    if (!job) throw new Conflict(`Order ${o.orderId} has no job to wait for`);
    if (o.waiting?.token === input.taskToken) return undefined;
    // A job that ended already (its report came first) keeps how it ended.
    const taken = input.accepted?.jobId === job.jobId && job.outcome === undefined;
    return {
      ...o,
      ...(taken ? { attempts: [...o.attempts.slice(0, -1), { ...job, outcome: 'accepted' as const }] } : {}),
      status: o.status === 'dispatched' ? 'printing' : o.status,
      waiting: { step: 'print', token: input.taskToken, jobId: job.jobId },
    };
  });
  if (saved.printResult && saved.printResult.jobId === saved.waiting?.jobId) await finishPrint(saved, input.taskToken, deps);
  return { waiting: true };
}

export interface TagDeps extends Clock {
  orders: OrderStore;
  /** Suppliers' certificates of material lots: those of the lot a product was printed from go on the ledger with it. */
  certificates: Pick<MaterialCertificates, 'listByLot'>;
  events: LedgerEvents;
  signer: PlatformSigner;
  dataKeys: DataKeys;
  tags: TagStore;
  printers: PrinterStore;
  messages: PrinterMessages;
  /** Where the GS1 Digital Link URLs on the tags point (scheme and host): the public verify site. */
  tagBaseUrl: string;
  /** The platform's GS1 company prefix and item reference: 13 digits, to which the check digit is added. */
  gtinBase: string;
}

/** What a tag's sealed NFC key is bound to: opening it for another tag fails. */
export const tagKeyContext = (gtin: string, serial: string) => ({ purpose: 'nfc-tag-key', tag: `${gtin}/${serial}` });

/** GS1 check digit of the 13 leading digits of a GTIN-14. */
export function gtinCheckDigit(digits13: string): number {
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(digits13[12 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

// 5. The product exists: it goes on the ledger as printed, gets its serial and its signed Digital Link, and is tagged.
export async function tagProduct(input: { orderId: string }, deps: TagDeps) {
  let order = await load(deps.orders, input.orderId);
  const job = order.attempts.find((a) => a.jobId === order.printResult?.jobId && order.printResult?.outcome === 'completed');
  if (!job) throw new Conflict(`Order ${order.orderId} has no completed print`);
  const productId = `prd_${order.orderId.slice(4)}`;
  const gtin = `${deps.gtinBase}${gtinCheckDigit(deps.gtinBase)}`;
  const serial = `${order.designId.slice(0, 40)}.${order.printNumber ?? 0}`;
  const printer = await deps.printers.get(order.product?.printerId ?? job.printerId);
  if (!printer) throw new Conflict(`Printer ${order.product?.printerId ?? job.printerId} is gone; the tag cannot be written`);
  // The key of a tag this run makes: the printer gets it from here, with no round trip to unseal what was just sealed.
  let madeKey: { sealedKey: string; key: Uint8Array } | undefined;
  if (!order.tag) {
    const path = `/01/${gtin}/21/${encodeURIComponent(serial)}`;
    const signature = Buffer.from(await deps.signer.sign(new TextEncoder().encode(`${path}|${productId}`))).toString('base64url');
    // The NFC tag's own key never leaves the platform unsealed; the ledger records only its hash.
    const nfc = newTagIdentity();
    const sealedKey = Buffer.from(await seal(nfc.key, deps.dataKeys, tagKeyContext(gtin, serial))).toString('base64');
    const tag = { gtin, serial, url: `${deps.tagBaseUrl.replace(/\/+$/, '')}${path}?s=${signature}`, signature, uid: nfc.uid, sealedKey, keyHash: sha256(nfc.key), at: deps.now().toISOString() };
    madeKey = { sealedKey, key: nfc.key };
    // The lot the printer says it printed from, else the one its operator declared loaded for this material.
    const declared = declaredLot(printer.config.loadedMaterials, order.material, order.color);
    const materialLot = order.printResult?.materialLot ?? declared ?? `${job.printerId}:${order.material}`;
    const certificates = (await deps.certificates.listByLot(materialLot))
      .filter((c) => c.material === order.material)
      .sort((a, b) => `${a.issuerPartnerId}#${a.certificateId}`.localeCompare(`${b.issuerPartnerId}#${b.certificateId}`))
      .slice(0, 16)
      .map((c) => ({ issuerPartnerId: c.issuerPartnerId, certificateId: c.certificateId, documentSha256: c.documentSha256, issuedAt: c.issuedAt }));
    // Kept on the order with the product, so a retried step publishes the same event even if a certificate came since.
    const product = { productId, printerId: job.printerId, operatorId: printer.operatorId, gcodeSha256: job.gcodeSha256 ?? '', materialLot, printParamsHash: job.printParamsHash ?? '', materialCertificates: certificates };
    order = await update(deps.orders, order.orderId, deps.now, (o) => (o.tag ? undefined : { ...o, status: 'printed', product, tag }), order);
  }
  const product = order.product!;
  const t = order.tag!;
  // The time the tag was made, not this run's: a retried step publishes the very same events (the ledger writer
  // then finds its transaction already there instead of planning another).
  const at = t.at ?? deps.now().toISOString();
  await deps.tags.put({ gtin: t.gtin, serial: t.serial, productId, orderId: order.orderId, uid: t.uid, sealedKey: t.sealedKey, lastCounter: 0, issuedAt: t.at ?? order.updatedAt });
  // The printer writes the NFC tag: it gets the tag's key sealed to its own device key, like a print file.
  // Only if the tag saved is the one this run made (a concurrent run may have saved its own first).
  const nfcKey = madeKey?.sealedKey === t.sealedKey ? madeKey.key : await open(Buffer.from(t.sealedKey, 'base64'), deps.dataKeys, tagKeyContext(t.gtin, t.serial));
  if (madeKey && madeKey.key !== nfcKey) madeKey.key.fill(0);
  const forPrinter = sealPrintFile(nfcKey, { printerId: printer.printerId, publicKey: printer.deviceKeys.encryptionKey }, { jobId: `tag:${t.serial}`, expiresAt: new Date(deps.now().getTime() + 86_400_000) });
  nfcKey.fill(0);
  await deps.messages.publish(printer.printerId, 'tags', { serial: t.serial, gtin: t.gtin, url: t.url, uid: t.uid, sealedKey: forPrinter.sealed.toString('base64'), keySha256: forPrinter.header.gcodeSha256 });
  // Two requests, not one: the writer refuses product.tagged for a product not yet on the ledger, and events sent in
  // one PutEvents are routed to the asset's FIFO group each on its own, in no set order; sent one after the other,
  // product.printed is on the bus before product.tagged leaves.
  await deps.events.publish({
    type: 'product.printed',
    version: 2,
    eventId: `product.printed:${productId}`,
    occurredAt: at,
    assetKey: productId,
    productId,
    designId: order.designId,
    orderId: order.orderId,
    printerId: product.printerId,
    materialLot: product.materialLot.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 128),
    printParamsHash: product.printParamsHash,
    gcodeHash: product.gcodeSha256,
    materialCertificates: product.materialCertificates ?? [],
  });
  await deps.events.publish({
    type: 'product.tagged',
    version: 1,
    eventId: `product.tagged:${productId}`,
    occurredAt: at,
    assetKey: productId,
    productId,
    gtin: order.tag!.gtin,
    serial: order.tag!.serial,
    tagKeyHash: order.tag!.keyHash,
  });
  return { productId, tagUrl: order.tag!.url };
}

// 6. Handed to the carrier.
export async function shipProduct(
  input: { orderId: string },
  deps: Clock & { orders: OrderStore; events: LedgerEvents; notifications: Notifications; carrierId: (placedAt: string) => Promise<string>; newTrackingNumber: () => string },
) {
  let order = await load(deps.orders, input.orderId);
  if (!order.product) throw new Conflict(`Order ${order.orderId} has no product to ship`);
  if (!order.shipment) {
    const shipment = { carrierId: await deps.carrierId(order.createdAt), trackingNumber: deps.newTrackingNumber(), at: deps.now().toISOString() };
    order = await update(deps.orders, order.orderId, deps.now, (o) => (o.shipment ? undefined : { ...o, status: 'shipped', shipment }), order);
  }
  await deps.events.publish({
    type: 'product.shipped',
    version: 1,
    eventId: `product.shipped:${order.product!.productId}`,
    // When it was handed over, as recorded: a retried step publishes the same event.
    occurredAt: order.shipment!.at ?? deps.now().toISOString(),
    assetKey: order.product!.productId,
    productId: order.product!.productId,
    carrierId: order.shipment!.carrierId,
    trackingHash: sha256(order.shipment!.trackingNumber),
  });
  await tell(deps, order, order.customerId, 'order-shipped', `Your print is on its way (${order.shipment!.carrierId} ${order.shipment!.trackingNumber}).`);
  return { trackingNumber: order.shipment!.trackingNumber };
}

/**
 * The carrier's own tracking number, from the label it made for the shipment: it replaces the one the platform gave
 * the shipment, so the customer follows the carrier's number and the carrier's delivery webhook names it. The ledger
 * keeps the hash of the first number (product.shipped); the order keeps the current one. Refused once delivered.
 */
export async function recordCarrierLabel(input: { orderId: string; carrierId: string; trackingNumber: string }, deps: Clock & { orders: OrderStore }) {
  const saved = await update(deps.orders, input.orderId, deps.now, (o) => {
    if (o.shipment?.carrierId !== input.carrierId) throw new NotFound(`Order ${input.orderId} not found`);
    if (o.shipment.trackingNumber === input.trackingNumber) return undefined;
    if (o.status !== 'shipped') throw new Conflict(`Order ${o.orderId} is ${o.status}; its label can no longer change`);
    return { ...o, shipment: { ...o.shipment, trackingNumber: input.trackingNumber } };
  });
  return { trackingNumber: saved.shipment!.trackingNumber };
}

// 7. Wait for the carrier's or the customer's confirmation of delivery.
export async function awaitDelivery(input: { orderId: string; taskToken: string }, deps: Clock & { orders: OrderStore; callbacks: TaskCallbacks }) {
  const saved = await update(deps.orders, input.orderId, deps.now, (o) => (o.waiting?.token === input.taskToken ? undefined : { ...o, waiting: { step: 'delivery', token: input.taskToken } }));
  // Confirmed while the workflow was still on its way here (between shipping and this step).
  if (saved.deliveryConfirmedBy) await deps.callbacks.succeed(input.taskToken, { confirmedBy: saved.deliveryConfirmedBy });
  return { waiting: true };
}

export interface ReleaseDeps extends PayShareDeps {
  orders: OrderStore;
  printers: PrinterStore;
  notifications: Notifications;
  events: LedgerEvents;
}

// 8. Delivered: the product passes to the customer on the ledger, and the escrow is split. Each share goes to its
// participant's connected account if that is ready, else stays owed in the books (see payments/payout-accounts.ts).
export async function releaseEscrow(input: { orderId: string; confirmedBy?: 'carrier' | 'customer-scan' }, deps: ReleaseDeps) {
  let order = await load(deps.orders, input.orderId);
  if (order.status === 'refunded' || order.status === 'cancelled') throw new Conflict(`Order ${order.orderId} is ${order.status}; there is nothing to release`);
  // The money is going back outside the workflow (a dispute lost, a dashboard refund), and that path closes the order.
  if ((order.refundStartedAt || order.returnedOutsideAt) && order.status !== 'completed') return { released: 0, returnedMeanwhile: true };
  if (!order.product || !order.chargeId) throw new Conflict(`Order ${order.orderId} is not ready to be released`);
  // What the escrow holds: less any part given back from the provider's dashboard before this (refunds.ts).
  const { escrowedCents, split } = releaseSplit(order);
  const at = deps.now().toISOString();
  await deps.books.post(releaseEntry(order.orderId, escrowedCents, split, at));
  // Whoever ran the printer when it printed (recorded with the product); orders tagged before that was kept ask the
  // printer record.
  const operator = order.product.operatorId ?? (await deps.printers.get(split.printerId))?.operatorId;
  // Both participants' payout accounts in one read.
  const accounts = await deps.payoutAccounts.getMany([order.designerId, ...(operator ? [operator] : [])]);
  const royalty = await payShare({ orderId: order.orderId, userId: order.designerId, earningsAccount: `designer:${order.designerId}:royalties`, purpose: 'royalty', amountCents: split.royaltyCents }, deps, { account: accounts.get(order.designerId) });
  const fee = split.printingFeeCents + split.shippingCents;
  // A printer whose operator is unknown (deleted) keeps its payout owed to the printer's account in the books.
  const printingFee = operator ? await payShare({ orderId: order.orderId, userId: operator, earningsAccount: `printer:${split.printerId}:payouts`, purpose: 'printing-fee', amountCents: fee }, deps, { account: accounts.get(operator) }) : 'owed';
  // The money may have gone back meanwhile (a dispute lost, a refund from the provider's dashboard): the refund marks
  // the order before it looks for transfers to reverse, so whatever this release paid after that look is taken back
  // here, and the order stays refunded.
  let returnedMeanwhile = false;
  order = await update(
    deps.orders,
    order.orderId,
    deps.now,
    (o) => {
      returnedMeanwhile = o.refundStartedAt !== undefined || o.returnedOutsideAt !== undefined || o.status === 'refunded' || o.status === 'cancelled';
      if (o.status === 'completed' || returnedMeanwhile) return undefined;
      const rest: Order = { ...o, status: 'completed', deliveredAt: o.deliveredAt ?? at };
      delete rest.waiting;
      // Delivered: nothing the platform does later needs where the customer lives (the carrier's copy goes too).
      delete rest.deliverTo;
      return rest;
    },
    order,
  );
  if (returnedMeanwhile) {
    await returnPayment(order, { refundAtGateway: false }, deps);
    return { released: 0, returnedMeanwhile: true };
  }
  const delivered = {
    type: 'product.delivered' as const,
    eventId: `product.delivered:${order.product!.productId}`,
    occurredAt: order.deliveredAt!,
    assetKey: order.product!.productId,
    productId: order.product!.productId,
    customerId: order.customerId,
    confirmedBy: input.confirmedBy ?? 'carrier',
  };
  // v2 names the carrier, for the partners' notifier; an order without a shipment (none is delivered so) keeps v1.
  await deps.events.publish(order.shipment ? { ...delivered, version: 2, carrierId: order.shipment.carrierId } : { ...delivered, version: 1 });
  const held = ' It is held for you until your payout account is ready (POST /me/payout-account).';
  // One write for the three: each is still sent once, a replay writing only those a crash left unsent.
  await tellAll(deps, order, [
    { userId: order.customerId, kind: 'order-completed', text: 'Your print was delivered. You can rate it now.' },
    ...(split.royaltyCents > 0 ? [{ userId: order.designerId, kind: 'royalty-earned' as const, text: `A print of your design was delivered: ${euros(split.royaltyCents)} royalty.${royalty === 'owed' ? held : ''}` }] : []),
    ...(operator ? [{ userId: operator, kind: 'payout-earned' as const, text: `A print of yours was delivered: ${euros(fee)} payout.${printingFee === 'owed' ? held : ''}` }] : []),
  ]);
  return { released: escrowedCents, royalty, printingFee };
}

// Every failure ends here: the money goes back (transfers reversed first if the release had begun), the licence
// returns to the edition, the order says why.
export async function refundOrder(input: { orderId: string; failure?: { Error?: string; Cause?: string } | null }, deps: ReturnPaymentDeps & { licenses: LicenseReservations }) {
  const order = await load(deps.orders, input.orderId);
  if (order.status === 'completed') throw new Conflict(`Order ${order.orderId} was completed; it cannot be refunded by the workflow`);
  const failure = { error: input.failure?.Error ?? 'Unknown', cause: friendlyCause(input.failure?.Cause) };
  if (order.status === 'refunded' || order.status === 'cancelled') {
    // Closed already: by this step before a retry, or outside the workflow (a lost dispute, a dashboard refund),
    // where the money went back without us; refunding the charge again would fail.
    await deps.licenses.release({ designId: order.designId, orderId: order.orderId });
    return { status: order.status };
  }
  if (order.chargeId) {
    const { releaseUndone } = await returnPayment(order, { refundAtGateway: true }, deps);
    await deps.licenses.release({ designId: order.designId, orderId: order.orderId });
    const saved = await closeRefunded(order, failure, releaseUndone, `Your order could not be completed and was refunded: ${failure.cause}`, deps);
    return { status: saved.status };
  }
  await deps.licenses.release({ designId: order.designId, orderId: order.orderId });
  const saved = await update(deps.orders, order.orderId, deps.now, (o) => {
    if (o.status === 'refunded' || o.status === 'cancelled') return undefined;
    const rest: Order = { ...o, status: 'cancelled', failure };
    delete rest.waiting;
    delete rest.deliverTo;
    return rest;
  });
  await tell(deps, saved, saved.customerId, 'order-refunded', `Your order was cancelled: ${failure.cause}`);
  return { status: saved.status };
}

/** Lambda errors reach the workflow as a JSON Cause; keep only the message people can read. */
function friendlyCause(cause: string | undefined): string {
  if (!cause) return 'unknown';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    // Not JSON: a plain cause.
  }
  return cause.slice(0, 500);
}

/**
 * The slicer settings of an order: the platform's defaults with the customer's layer height, infill and walls. The
 * first layer stays at least 0.2 mm, which holds to the bed whatever the layers above it.
 */
export function sliceSettingsFor(material: Order['material'], params: PrintParams): SliceSettings {
  return SliceSettings.parse({
    ...defaultSettings,
    layerHeight: params.layerHeightMm,
    firstLayerHeight: Math.max(0.2, params.layerHeightMm),
    infillDensity: params.infillPercent / 100,
    perimeters: params.perimeters,
    filamentDensity: materialDensity[material],
  });
}
