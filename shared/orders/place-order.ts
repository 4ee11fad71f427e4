// Quoting and placing an order, reading it, and the customer's confirmation of delivery. Placing is idempotent on
// the client's order id: a retried POST returns the order it placed and never starts a second workflow.
import { createHash } from 'node:crypto';
import { seal, type DataKeys } from '../crypto/envelope.js';
import { Conflict, NotFound, RuleViolation } from '../errors.js';
import type { Design } from '../designs/design.js';
import type { Material } from '../designs/printability.js';
import type { DesignStore } from '../designs/ports.js';
import type { PrinterShadows, PrinterStore } from '../printers/ports.js';
import {
  assertCustomer,
  assertListed,
  assertMaterialAllowed,
  assertMayView,
  defaultPrintParams,
  deliveryAddressContext,
  matchPrinters,
  orderIdFor,
  orderView,
  presenceBlindRanking,
  quote,
  quoteOption,
  unsuitability,
  type Candidate,
  type Order,
  type PlaceOrderInput,
  type QuoteInput,
  type Viewer,
} from './order.js';
import type { OrderStore, OrderWorkflow, TaskCallbacks } from './ports.js';
import type { RatingStore } from './ratings.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface CatalogueDeps {
  designs: DesignStore;
  printers: PrinterStore;
  freshPrinters?: MatchDeps['freshPrinters'];
  shadows: PrinterShadows;
  ratings: Pick<RatingStore, 'printerRatings'>;
}

/** What a match reads: the printers, their ratings and their device shadows. */
export interface MatchDeps {
  printers: Pick<PrinterStore, 'list'>;
  /**
   * The fleet read exactly, where `printers` may answer a list kept a moment (functions/lib/recent.ts): read when that
   * list has no printer for the order, so a printer registered, or loaded with the material, just before is not missed.
   */
  freshPrinters?: Pick<PrinterStore, 'list'>;
  shadows: Pick<PrinterShadows, 'reported'>;
  ratings: Pick<RatingStore, 'printerRatings'>;
}

/** Every printer with its customers' mean rating (0 before any), before its presence is read. */
async function ratedPrinters(deps: Omit<MatchDeps, 'shadows'>): Promise<Omit<Candidate, 'online' | 'queueLength'>[]> {
  const all = await deps.printers.list();
  const ratings = await deps.ratings.printerRatings(all.map((p) => p.printerId));
  return all.map((printer) => {
    const rating = ratings.get(printer.printerId) ?? { mean: 0, count: 0 };
    return { printer, rating: rating.mean, ratingCount: rating.count };
  });
}

/** A printer's presence from its device shadow: online unless it said offline (or never reported), and its job. */
async function withPresence(c: Omit<Candidate, 'online' | 'queueLength'>, shadows: MatchDeps['shadows']): Promise<Candidate> {
  const reported = await shadows.reported(c.printer.printerId);
  const status = typeof reported?.status === 'string' ? reported.status : undefined;
  return { ...c, online: status !== undefined && status !== 'offline', queueLength: reported?.job ? 1 : 0 };
}

/** Every printer with what the match needs: online, its customers' mean rating (0 before any), its current job. */
export async function candidates(deps: MatchDeps): Promise<Candidate[]> {
  return Promise.all((await ratedPrinters(deps)).map((c) => withPresence(c, deps.shadows)));
}

/**
 * The printers that can take the order in matchPrinters' order, each device shadow read only when the match gets to
 * it: a caller that stops at the first idle printer reads one shadow when the best printer is idle, where reading every
 * printer's first made each match cost a request per printer in the fleet.
 */
export async function* rankedCandidates(
  deps: MatchDeps,
  design: Extract<Design, { status: 'listed' }>,
  material: Material,
  exclude: ReadonlySet<string> = new Set(),
  spreadKey = '',
): AsyncGenerator<Candidate> {
  for (const printers of deps.freshPrinters ? [deps.printers, deps.freshPrinters] : [deps.printers]) {
    let found = false;
    for (const group of presenceBlindRanking(design, await ratedPrinters({ ...deps, printers }), material, exclude, spreadKey)) {
      const busy: Candidate[] = [];
      for (const printer of group) {
        const c = await withPresence(printer, deps.shadows);
        if (!c.online) continue;
        found = true;
        if (c.queueLength === 0) yield c;
        else busy.push(c);
      }
      yield* busy;
    }
    if (found) return;
  }
}

/**
 * The printer an order starts on: the customer's choice if it can take it, else the best match. With `all` (every
 * candidate, read already for a quote) it picks among them; without, it reads only the presence it needs.
 */
async function pickPrinter(input: QuoteInput, deps: CatalogueDeps, all?: Candidate[], listed?: Extract<Design, { status: 'listed' }>) {
  const design = listed ?? assertListed(await deps.designs.get(input.designId), input.designId);
  assertMaterialAllowed(design, input.material);
  if (input.printerId) {
    // Its rating does not matter here: only whether it can take the order.
    // Read on its own, not from the fleet's list: the terms the customer accepted are checked against it.
    const listed = all ? undefined : await deps.printers.get(input.printerId);
    const chosen = all ? all.find((c) => c.printer.printerId === input.printerId) : listed && (await withPresence({ printer: listed, rating: 0 }, deps.shadows));
    if (!chosen) throw new NotFound(`Printer ${input.printerId} not found`);
    const why = unsuitability(design, chosen, input.material);
    if (why) throw new RuleViolation(`Printer ${input.printerId} cannot take this order: ${why}`);
    return { design, printer: chosen.printer };
  }
  const best = all ? matchPrinters(design, all, input.material)[0] : (await rankedCandidates(deps, design, input.material).next()).value;
  if (!best) throw new RuleViolation(`No online printer has ${input.material} loaded and room for this design`);
  return { design, printer: best.printer };
}

/**
 * The itemized quote on the chosen (or best) printer, and every printer that could take the order, best first, with
 * its rating and expected delivery, so the customer can choose another.
 */
export async function quoteOrder(input: QuoteInput, deps: CatalogueDeps & { now: () => Date }) {
  const listed = assertListed(await deps.designs.get(input.designId), input.designId);
  let all = await candidates(deps);
  // As rankedCandidates: a kept list with no printer for the order is read again exactly.
  if (deps.freshPrinters && matchPrinters(listed, all, input.material).length === 0) all = await candidates({ ...deps, printers: deps.freshPrinters });
  if (input.printerId) all = await withChosenRead(all, input.printerId, deps);
  const { design, printer } = await pickPrinter(input, deps, all, listed);
  const now = deps.now();
  const params = input.printParams ?? defaultPrintParams;
  return {
    designId: design.designId,
    licenseVersion: design.terms.version,
    printerId: printer.printerId,
    printerTermsVersion: printer.terms.version,
    printParams: params,
    quote: quote(design, printer, input.material, params),
    candidates: matchPrinters(design, all, input.material).map((c) => quoteOption(design, c, input.material, now, params)),
  };
}
export type QuoteView = Awaited<ReturnType<typeof quoteOrder>>;

/**
 * The candidates with the customer's printer read on its own, as placing the order reads it: a kept list may not have
 * a printer registered a moment ago, or may have its terms of a moment ago, whose version the order would then refuse.
 */
async function withChosenRead(all: Candidate[], printerId: string, deps: CatalogueDeps): Promise<Candidate[]> {
  const others = all.filter((c) => c.printer.printerId !== printerId);
  const printer = await deps.printers.get(printerId);
  if (!printer) return others;
  const kept = all.find((c) => c.printer.printerId === printerId);
  if (kept) return [...others, { ...kept, printer }];
  const rating = (await deps.ratings.printerRatings([printerId])).get(printerId) ?? { mean: 0, count: 0 };
  return [...others, await withPresence({ printer, rating: rating.mean, ratingCount: rating.count }, deps.shadows)];
}

export async function placeOrder(
  input: PlaceOrderInput & { customerId: string },
  deps: CatalogueDeps & { orders: OrderStore; workflow: OrderWorkflow; dataKeys: DataKeys; now: () => Date },
): Promise<{ created: boolean; order: ReturnType<typeof orderView> }> {
  const orderId = orderIdFor(input.customerId, input.clientOrderId, sha256);
  // The order is written first and read only if it was placed before: a first placement costs no read, a retry the
  // checks and the sealing again. A retry is answered with its order whatever changed since (the terms, the printers
  // online): those checks are for a first placement only.
  let order: Order;
  try {
    order = await newOrder(orderId, input, deps);
  } catch (err) {
    const existing = await deps.orders.get(orderId);
    if (existing) return placedBefore(existing, input, deps);
    throw err;
  }
  const existing = await deps.orders.createOrExisting(order);
  if (existing) return placedBefore(existing, input, deps);
  await deps.workflow.start(orderId, { orderId, lastError: null });
  return { created: true, order: orderView(order) };
}

async function placedBefore(existing: Order, input: PlaceOrderInput, deps: { workflow: OrderWorkflow }) {
  if (existing.designId !== input.designId || existing.material !== input.material) throw new Conflict(`clientOrderId ${input.clientOrderId} was used for another order`);
  // The workflow may not have started if the first attempt stopped right after saving.
  await deps.workflow.start(existing.orderId, { orderId: existing.orderId, lastError: null });
  return { created: false, order: orderView(existing) };
}

/** The order as placed: checked against the design's and the printer's current terms, its address sealed. */
async function newOrder(orderId: string, input: PlaceOrderInput & { customerId: string }, deps: CatalogueDeps & { dataKeys: DataKeys; now: () => Date }): Promise<Order> {
  const { design, printer } = await pickPrinter(input, deps);
  if (input.acceptedLicenseVersion !== design.terms.version) {
    throw new Conflict(`The license terms changed: version ${design.terms.version} is current, you accepted ${input.acceptedLicenseVersion}`);
  }
  if (input.printerId && input.acceptedPrinterTermsVersion !== printer.terms.version) {
    throw new Conflict(`The printer's terms changed or were not accepted: version ${printer.terms.version} is current`);
  }
  const now = deps.now().toISOString();
  // Sealed before it is stored: an address is personal data, read only where a parcel must be labelled.
  const deliverTo = { sealed: Buffer.from(await seal(new TextEncoder().encode(JSON.stringify(input.deliverTo)), deps.dataKeys, deliveryAddressContext(orderId))).toString('base64') };
  return {
    orderId,
    customerId: input.customerId,
    designId: design.designId,
    designerId: design.designerId,
    material: input.material,
    ...(input.color ? { color: input.color } : {}),
    printParams: input.printParams ?? defaultPrintParams,
    licenseVersion: design.terms.version,
    ...(input.printerId ? { chosenPrinterId: input.printerId, printerTermsVersion: printer.terms.version } : {}),
    quote: quote(design, printer, input.material, input.printParams ?? defaultPrintParams),
    royaltyCents: design.terms.royaltyCents,
    paymentMethod: input.paymentMethod,
    deliverTo,
    status: 'placed',
    attempts: [],
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
}

export async function getOrder(orderId: string, viewer: Viewer, deps: { orders: OrderStore }) {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFound(`Order ${orderId} not found`);
  assertMayView(order, viewer);
  const view = orderView(order);
  // The tracking number leads to where the customer lives: only they (and admins) see it.
  if (view.shipment && order.customerId !== viewer.userId && !viewer.groups.includes('admin')) return { ...view, shipment: { carrierId: view.shipment.carrierId } };
  return view;
}

export async function listMyOrders(customerId: string, deps: { orders: OrderStore }) {
  return (await deps.orders.listByCustomer(customerId)).map(orderView);
}

/** The product arrived, says its customer (in the app) or its carrier (by webhook): the delivery step goes on. */
export async function confirmDelivery(
  input: { orderId: string; by: { kind: 'customer'; customerId: string } | { kind: 'carrier'; carrierId: string; trackingNumber: string } },
  deps: { orders: OrderStore; callbacks: TaskCallbacks },
) {
  const order = await deps.orders.get(input.orderId);
  if (!order) throw new NotFound(`Order ${input.orderId} not found`);
  if (input.by.kind === 'customer') assertCustomer(order, input.by.customerId);
  else if (order.shipment?.carrierId !== input.by.carrierId || order.shipment.trackingNumber !== input.by.trackingNumber) throw new NotFound(`Order ${input.orderId} not found`);
  const confirmedBy = input.by.kind === 'customer' ? ('customer-scan' as const) : ('carrier' as const);
  if (order.status === 'delivered' || order.status === 'completed') return orderView(order);
  if (order.status !== 'shipped') throw new Conflict(`Order ${order.orderId} is ${order.status}; it can be confirmed once shipped`);
  // Shipped, and the workflow may not be waiting yet: then the confirmation is left for its delivery step to find.
  // The order just read is tried first; a lost race answers with the order that won it.
  let current = order;
  for (let i = 0; i < 10; i++) {
    if (current.waiting?.step === 'delivery') {
      await deps.callbacks.succeed(current.waiting.token, { confirmedBy });
      return orderView(current);
    }
    if (current.deliveryConfirmedBy) return orderView(current);
    const outcome = await deps.orders.saveOrCurrent({ ...current, deliveryConfirmedBy: confirmedBy, revision: current.revision + 1 }, current.revision);
    if (outcome.saved) return orderView(current);
    if (!outcome.current) throw new NotFound(`Order ${input.orderId} not found`);
    current = outcome.current;
  }
  throw new Conflict(`Order ${order.orderId} is changing; try again`);
}
