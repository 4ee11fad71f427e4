// An order: a customer's licensed print of a design on a printer, from the quote to the release of the escrow.
// The order record is what the workflow's steps read and advance; each step is a pure transition here, so replaying a
// step against a record that already moved on changes nothing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Conflict, NotFound, RuleViolation } from '../errors.js';
import { materials, type Design } from '../designs/design.js';
import { fitsBuildVolume, type Material } from '../designs/printability.js';
import type { Printer } from '../printers/printer.js';

/** Platform commission on the design price and the printing fee, in basis points. */
export const commissionBps = 1000;
/** Flat shipping inside the network of regional printers, euro cents. */
export const shippingCents = 490;
/** How many printers an order is offered to (rejections, silence, failed prints) before it is refunded. */
export const maxPrintAttempts = 3;
/** Offers a busy printer may turn down before the order gives up; they do not count as attempts. */
export const maxBusyOffers = 30;
/** A rough volumetric rate for the quote (mm³ of model per second, infill and perimeters averaged). */
const quoteMm3PerSecond = 6;

/**
 * What the customer chooses of how the part is printed. The layer heights are the ones every FDM profile offers with a
 * 0.4 mm nozzle; infill and walls trade weight and strength. The printer slices with them (and nothing else of the
 * customer's), and they are priced in the quote.
 */
export const layerHeightsMm = [0.1, 0.15, 0.2, 0.3] as const;
export const PrintParams = z.strictObject({
  layerHeightMm: z
    .number()
    .refine((v) => (layerHeightsMm as readonly number[]).includes(v), { message: `one of ${layerHeightsMm.join(', ')} mm` })
    .default(0.2),
  infillPercent: z.number().int().min(0).max(100).default(20),
  perimeters: z.number().int().min(1).max(6).default(2),
});
export type PrintParams = z.infer<typeof PrintParams>;
export const defaultPrintParams: PrintParams = PrintParams.parse({});

/** Where the parcel goes: what a carrier needs on its label, and nothing more. Personal data: it is sealed at rest,
 * shown only to the carrier of the order's shipment, and never goes on the ledger. */
export const DeliveryAddress = z.strictObject({
  name: z.string().trim().min(2).max(100),
  line1: z.string().trim().min(1).max(100),
  line2: z.string().trim().min(1).max(100).optional(),
  postalCode: z.string().trim().min(2).max(16).regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and -'),
  city: z.string().trim().min(1).max(80),
  country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code (ISO 3166-1), like FR'),
});
export type DeliveryAddress = z.infer<typeof DeliveryAddress>;

/** What a delivery address is sealed to: opening it for another order fails. */
export const deliveryAddressContext = (orderId: string) => ({ purpose: 'delivery-address', order: orderId });

export const PlaceOrderInput = z.strictObject({
  /** Chosen by the client, so a retried POST finds the order it already placed. */
  clientOrderId: z.uuid(),
  designId: z.string().min(1).max(128),
  material: z.enum(materials),
  color: z.string().trim().min(1).max(40).optional(),
  /** How it is printed; absent = the defaults (0.2 mm layers, 20 % infill, 2 walls). */
  printParams: PrintParams.optional(),
  /** A printer chosen by the customer; absent = matched automatically. */
  printerId: z.string().min(1).max(128).optional(),
  /** The license terms version the customer read and accepted; it must still be the current one. */
  acceptedLicenseVersion: z.number().int().min(1),
  /** The printer terms version accepted, when a printer is chosen; an automatic match is accepted as quoted. */
  acceptedPrinterTermsVersion: z.number().int().min(1).optional(),
  /** A Stripe PaymentMethod id or, on the embedded platform, one of Stripe's test card numbers. */
  paymentMethod: z.string().trim().min(4).max(64),
  deliverTo: DeliveryAddress,
});
export type PlaceOrderInput = z.infer<typeof PlaceOrderInput>;

export const QuoteInput = PlaceOrderInput.pick({ designId: true, material: true, printerId: true, printParams: true });
export type QuoteInput = z.infer<typeof QuoteInput>;

export interface Quote {
  currency: 'eur';
  designPriceCents: number;
  printingFeeCents: number;
  commissionCents: number;
  shippingCents: number;
  totalCents: number;
  /** What the printing fee is based on. */
  estimate: { printSeconds: number; grams: number };
}

export interface Candidate {
  printer: Printer;
  online: boolean;
  /** Mean rating from delivered orders, 0 when none yet. */
  rating: number;
  /** Orders assigned and not yet printed. */
  queueLength: number;
  /** How many ratings the mean is of (absent = not counted). */
  ratingCount?: number;
}

/** Door-to-door days the flat shipping inside the regional network is priced for. */
export const shippingDays = 2;

/**
 * When a print would arrive: the jobs ahead of it (counted at this print's length, the only estimate there is), its
 * own print time, then shipping.
 */
export function expectedDelivery(est: Quote['estimate'], queueLength: number, now: Date): string {
  const printMs = est.printSeconds * 1000 * (queueLength + 1);
  return new Date(now.getTime() + printMs + shippingDays * 86_400_000).toISOString();
}

/** A printer the customer may choose, as the checkout lists it: its price, standing and expected delivery. */
export function quoteOption(design: Extract<Design, { status: 'listed' }>, c: Candidate, material: Material, now: Date, params: PrintParams = defaultPrintParams) {
  const q = quote(design, c.printer, material, params);
  return {
    printerId: c.printer.printerId,
    name: c.printer.config.name,
    region: c.printer.config.region,
    rating: Math.round(c.rating * 10) / 10,
    ratingCount: c.ratingCount ?? 0,
    queueLength: c.queueLength,
    terms: { version: c.printer.terms.version, text: c.printer.terms.text, feePerHourCents: c.printer.terms.feePerHourCents, feePerGramCents: c.printer.terms.feePerGramCents },
    loadedColors: c.printer.config.loadedMaterials.filter((m) => m.type === material).map((m) => m.color),
    totalCents: q.totalCents,
    expectedDeliveryAt: expectedDelivery(q.estimate, c.queueLength, now),
  };
}
export type QuoteOption = ReturnType<typeof quoteOption>;

export type OrderStatus =
  | 'placed'
  | 'licensed'
  | 'paid'
  | 'dispatched'
  | 'printing'
  | 'printed'
  | 'shipped'
  | 'delivered'
  | 'completed'
  | 'refunded'
  | 'cancelled';

export interface PrintAttempt {
  printerId: string;
  jobId: string;
  offeredAt: string;
  /** `busy`: the printer was printing another job; it may be offered the order again later. */
  outcome?: 'accepted' | 'rejected' | 'busy' | 'timed-out' | 'failed' | 'completed';
  reason?: string;
  /** What was sent: the hash of the G-code and of the profile and settings it was sliced with. */
  gcodeSha256?: string;
  printParamsHash?: string;
}

export interface Order {
  orderId: string;
  customerId: string;
  designId: string;
  designerId: string;
  material: Material;
  color?: string;
  /** Absent on orders placed before print parameters existed: they were printed with the defaults. */
  printParams?: PrintParams;
  licenseVersion: number;
  /** The printer the customer chose, if any; otherwise each attempt is matched. */
  chosenPrinterId?: string;
  printerTermsVersion?: number;
  quote: Quote;
  /** The designer's royalty under the accepted terms, euro cents. */
  royaltyCents: number;
  paymentMethod: string;
  /**
   * The delivery address, sealed under a data key of its own (base64), until the order ends (delivered, refunded or
   * cancelled), when it is dropped; absent on orders placed before addresses.
   */
  deliverTo?: { sealed: string };
  status: OrderStatus;
  /** Why a refunded or cancelled order ended. */
  failure?: { error: string; cause: string };
  printNumber?: number;
  chargeId?: string;
  attempts: PrintAttempt[];
  /** Task tokens the workflow waits on; never shown to anyone. */
  waiting?: { step: 'dispatch' | 'print' | 'delivery'; token: string; jobId?: string };
  /** A print result that arrived before the print step asked for it. */
  printResult?: { jobId: string; outcome: 'completed' | 'failed'; reason?: string; materialLot?: string };
  product?: {
    productId: string;
    gcodeSha256: string;
    printerId: string;
    /** The printer's operator when it printed: who the printing fee is paid to. */
    operatorId?: string;
    materialLot: string;
    printParamsHash: string;
    /** The lot's supplier certificates as recorded when the product was printed (what goes on the ledger with it). */
    materialCertificates?: { issuerPartnerId: string; certificateId: string; documentSha256: string; issuedAt: string }[];
  };
  /** The printed Digital Link, and the NFC tag's UID, sealed AES key and the key's hash (what the ledger records). */
  /** `at`: when the tag was made (absent on orders tagged before it was kept); the ledger steps and the tag record carry it. */
  tag?: { gtin: string; serial: string; url: string; signature: string; uid: string; sealedKey: string; keyHash: string; at?: string };
  /** `at`: when it was handed to the carrier (absent on orders shipped before it was kept). */
  shipment?: { carrierId: string; trackingNumber: string; at?: string };
  deliveredAt?: string;
  /** When the platform began to refund the order: a provider event about that refund is then ours, not news. */
  refundStartedAt?: string;
  /**
   * When the money began to go back outside the platform (a dispute lost, a refund from the provider's dashboard):
   * a release still running then takes back what it paid.
   */
  returnedOutsideAt?: string;
  /**
   * Parts of the payment given back from the provider's dashboard, oldest first, each once (by the provider's refund
   * id). Before the release they come out of the escrow and the release splits what is left; after it the platform
   * bears them (see orders/refunds.ts). The refund that brings the total to the whole charge refunds the order instead.
   */
  partialRefunds?: { refundId: string; amountCents: number; at: string }[];
  /** A chargeback the buyer's bank opened on the order's charge, as the payment provider reported it. */
  dispute?: { disputeId: string; reason: string; amountCents: number; status: 'open' | 'won' | 'lost' | 'closed'; openedAt: string; closedAt?: string };
  /** A confirmation that arrived before the workflow started waiting for it. */
  deliveryConfirmedBy?: 'carrier' | 'customer-scan';
  /** The printer's latest progress report on the current job (what the customer's tracking page shows). */
  progress?: PrintProgress;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export interface PrintProgress {
  jobId: string;
  layer: number;
  layers: number;
  percent: number;
  remainingSeconds: number;
  /** When the printer reported it (its clock): the expected finish is this plus the remaining time. */
  at: string;
}

/** Order ids are derived from the customer and their client order id: a retried POST names the same order. */
export function orderIdFor(customerId: string, clientOrderId: string, hash: (s: string) => string): string {
  return `ord_${hash(`${customerId}|${clientOrderId}`).slice(0, 24)}`;
}

/** A product is named after its order (`prd_` and the order's hash); this is the way back. */
export function orderIdOfProduct(productId: string): string | undefined {
  return /^prd_[0-9a-f]{24}$/.test(productId) ? `ord_${productId.slice(4)}` : undefined;
}

export function jobIdFor(orderId: string, attempt: number): string {
  return `${orderId}.${attempt}`;
}

export function orderIdOfJob(jobId: string): string | undefined {
  return /^(ord_[0-9a-f]{24})\.\d+$/.exec(jobId)?.[1];
}

/**
 * The print's length and weight, from the solid's volume and mass at the default parameters (0.2 mm, 20 %, 2 walls),
 * scaled for the chosen ones: time goes with the number of layers; the share of the part that is walls and skins
 * (about 40 % at the defaults, 15 % more per extra wall) is printed solid, the rest at the infill density.
 */
export function estimate(design: Extract<Design, { status: 'listed' }>, material: Material, params: PrintParams = defaultPrintParams): Quote['estimate'] {
  if (design.report.solid.kind !== 'solid') throw new RuleViolation('This design is not a closed solid and cannot be quoted');
  const { volumeMm3, massGrams } = design.report.solid;
  const shell = Math.min(0.9, 0.4 + 0.15 * (params.perimeters - 2));
  const filled = (infill: number) => shell + (1 - shell) * infill;
  const massFactor = filled(params.infillPercent / 100) / filled(0.2);
  const timeFactor = (0.2 / params.layerHeightMm) * (0.5 + 0.5 * massFactor);
  return {
    printSeconds: Math.max(600, Math.round((volumeMm3 / quoteMm3PerSecond) * timeFactor)),
    grams: Math.max(1, Math.round(massGrams[material] * massFactor)),
  };
}

/** The itemized price of a print of `design` in `material` on `printer`, with the chosen print parameters. */
export function quote(design: Extract<Design, { status: 'listed' }>, printer: Printer, material: Material, params: PrintParams = defaultPrintParams): Quote {
  const est = estimate(design, material, params);
  const printingFeeCents = Math.ceil(est.printSeconds / 3600) * printer.terms.feePerHourCents + est.grams * printer.terms.feePerGramCents;
  const designPriceCents = design.terms.priceCents;
  const commissionCents = Math.round(((designPriceCents + printingFeeCents) * commissionBps) / 10_000);
  return { currency: 'eur', designPriceCents, printingFeeCents, commissionCents, shippingCents, totalCents: designPriceCents + printingFeeCents + commissionCents + shippingCents, estimate: est };
}

/** Why a printer cannot take this order, or undefined if it can. */
export function unsuitability(design: Extract<Design, { status: 'listed' }>, c: Candidate, material: Material): string | undefined {
  if (!c.online) return 'offline';
  if (!c.printer.config.loadedMaterials.some((m) => m.type === material)) return `${material} is not loaded`;
  const p = c.printer.config.profile;
  if (!fitsBuildVolume(design.report.boundingBox.size, { x: p.bed.x, y: p.bed.y, z: p.maxZ }).fits) return 'the design does not fit its build volume';
  return undefined;
}

/** Orders equal printers for one order (see matchPrinters). */
const tieHash = (spreadKey: string, printerId: string) => createHash('sha256').update(`${spreadKey}|${printerId}`).digest('hex');

/**
 * matchPrinters' order for printers whose presence (online, queue) is not read yet, for reading it lazily: those that
 * can take the order on everything else (material, build volume) and are not excluded, in groups of equal rating,
 * best first, each group in the order of the tie hash. Within a group an idle printer ranks before every busy one,
 * so the first idle printer met in a group is that group's best, and busy ones follow the idle ones in the same order.
 */
export function presenceBlindRanking(
  design: Extract<Design, { status: 'listed' }>,
  printers: readonly Omit<Candidate, 'online' | 'queueLength'>[],
  material: Material,
  exclude: ReadonlySet<string> = new Set(),
  spreadKey = '',
): Omit<Candidate, 'online' | 'queueLength'>[][] {
  const ranked = printers
    .filter((c) => !exclude.has(c.printer.printerId) && unsuitability(design, { ...c, online: true, queueLength: 0 }, material) === undefined)
    .map((c) => ({ c, tie: tieHash(spreadKey, c.printer.printerId) }))
    .sort((a, b) => b.c.rating - a.c.rating || a.tie.localeCompare(b.tie))
    .map(({ c }) => c);
  const groups: Omit<Candidate, 'online' | 'queueLength'>[][] = [];
  for (const c of ranked) {
    const last = groups.at(-1);
    if (last && last[0]!.rating === c.rating) last.push(c);
    else groups.push([c]);
  }
  return groups;
}

/**
 * Printers that can take the order, best first: highest rating, then shortest queue. Equal printers are ordered by a
 * hash of the order and the printer, so orders placed at the same moment spread over equal printers instead of all
 * going to the same one, and the same order always ranks them the same way.
 */
export function matchPrinters(
  design: Extract<Design, { status: 'listed' }>,
  candidates: readonly Candidate[],
  material: Material,
  exclude: ReadonlySet<string> = new Set(),
  spreadKey = '',
): Candidate[] {
  return candidates
    .filter((c) => !exclude.has(c.printer.printerId) && unsuitability(design, c, material) === undefined)
    .map((c) => ({ c, tie: tieHash(spreadKey, c.printer.printerId) }))
    .sort((a, b) => b.c.rating - a.c.rating || a.c.queueLength - b.c.queueLength || a.tie.localeCompare(b.tie))
    .map(({ c }) => c);
}

export function assertListed(design: Design | undefined, designId: string): Extract<Design, { status: 'listed' }> {
  if (!design) throw new NotFound(`Design ${designId} not found`);
  if (design.status !== 'listed') throw new RuleViolation(`Design ${designId} is not for sale`);
  return design;
}

export function assertMaterialAllowed(design: Extract<Design, { status: 'listed' }>, material: Material): void {
  if (!design.terms.allowedMaterials.includes(material)) throw new RuleViolation(`The designer allows ${design.terms.allowedMaterials.join(', ')}, not ${material}`);
}

/** Who may read an order: its customer, the operator of a printer it was offered to, the design's designer, admins. */
export type Viewer = { userId: string; groups: readonly string[]; operatesPrinter: (printerId: string) => boolean };

export function assertMayView(order: Order, viewer: Viewer): void {
  if (viewer.groups.includes('admin')) return;
  if (order.customerId === viewer.userId) return;
  if (order.designerId === viewer.userId) return;
  if (order.attempts.some((a) => viewer.operatesPrinter(a.printerId))) return;
  // The same answer as for an unknown order: ids of other people's orders are not confirmed.
  throw new NotFound(`Order ${order.orderId} not found`);
}

/** What the customer (and other viewers) see: never task tokens or the payment method. Progress only for the current job. */
export function orderView(o: Order) {
  return {
    orderId: o.orderId,
    status: o.status,
    designId: o.designId,
    material: o.material,
    ...(o.color ? { color: o.color } : {}),
    printParams: o.printParams ?? defaultPrintParams,
    licenseVersion: o.licenseVersion,
    ...(o.printNumber !== undefined ? { printNumber: o.printNumber } : {}),
    quote: o.quote,
    printerId: o.attempts.at(-1)?.printerId ?? o.chosenPrinterId ?? null,
    attempts: o.attempts.map((a) => ({ printerId: a.printerId, offeredAt: a.offeredAt, outcome: a.outcome ?? 'pending', ...(a.reason ? { reason: a.reason } : {}) })),
    ...(o.product ? { productId: o.product.productId } : {}),
    ...(o.tag ? { tag: { gtin: o.tag.gtin, serial: o.tag.serial, url: o.tag.url } } : {}),
    ...(o.shipment ? { shipment: o.shipment } : {}),
    ...(o.failure ? { failure: o.failure } : {}),
    ...(o.deliveredAt ? { deliveredAt: o.deliveredAt } : {}),
    // Parts of the payment given back from the payment provider's dashboard (payments/partial-refunds).
    ...(o.partialRefunds?.length ? { partialRefunds: o.partialRefunds.map((r) => ({ amountCents: r.amountCents, at: r.at })) } : {}),
    ...(o.progress && o.progress.jobId === o.attempts.at(-1)?.jobId
      ? {
          progress: {
            layer: o.progress.layer,
            layers: o.progress.layers,
            percent: o.progress.percent,
            expectedFinishAt: new Date(Date.parse(o.progress.at) + o.progress.remainingSeconds * 1000).toISOString(),
            reportedAt: o.progress.at,
          },
        }
      : {}),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export type OrderView = ReturnType<typeof orderView>;

const order_: OrderStatus[] = ['placed', 'licensed', 'paid', 'dispatched', 'printing', 'printed', 'shipped', 'delivered', 'completed'];

/** True when the order already reached `status` (or went past it): a replayed step then does nothing. */
export function reached(o: Order, status: OrderStatus): boolean {
  if (o.status === 'refunded' || o.status === 'cancelled') return true;
  return order_.indexOf(o.status) >= order_.indexOf(status);
}

export function assertOpen(o: Order): void {
  if (o.status === 'refunded' || o.status === 'cancelled') throw new Conflict(`Order ${o.orderId} is ${o.status}`);
}

export function assertCustomer(o: Order, customerId: string): void {
  if (o.customerId !== customerId) throw new NotFound(`Order ${o.orderId} not found`);
}
