// An order end to end on the embedded platform, in-process on free ports: a customer orders a print of a listed
// design; the order workflow (the same ASL as in AWS) reserves a licence, charges escrow, slices the design for a
// virtual printer and seals the G-code to it; the printer agent accepts over MQTT, prints with progress heartbeats
// and reports completion; the product is tagged, shipped, delivered on the customer's confirmation and the escrow is
// split. The product's memory is then read from the ledger with the official BigchainDB driver.
import driver from 'bigchaindb-driver';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { startPrinterAgent } from '../../cli/printer-agent.js';
import { secretBytes, signWebhook } from '../../shared/partners/partners.js';
import { main as dpm } from '../../cli/main.js';
import type { RunningPlatform } from '../../local/runtime.js';
import { binaryStl, box } from '../support/meshes.js';
import { until } from '../support/until.js';
import { addPrinter as addSharedPrinter, listDesign } from '../support/marketplace.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { deliveryAddress } from '../support/fleet.js';

interface OrderView {
  orderId: string;
  status: string;
  quote: { totalCents: number; designPriceCents: number; printingFeeCents: number; commissionCents: number; shippingCents: number };
  printerId: string | null;
  attempts: { printerId: string; outcome: string; reason?: string }[];
  productId?: string;
  tag?: { gtin: string; serial: string; url: string };
  failure?: { error: string; cause: string };
  printNumber?: number;
}

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A partner's webhook receiver on loopback, answering with the next status of its script (the last one repeats). */
async function receiver(script: number[]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(script[Math.min(received.length - 1, script.length - 1)]!).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('an order, from the quote to the release of the escrow', () => {
  let t: TestPlatform;
  const receivers: Awaited<ReturnType<typeof receiver>>[] = [];
  let platform: RunningPlatform;
  const agents: Awaited<ReturnType<typeof startPrinterAgent>>[] = [];
  let designId = '';
  let printerId = '';

  const api = (path: string, as?: string, init: RequestInit = {}) => t.api(path, as, init);
  const orderOf = async (id: string, as = 'customer') => (await (await api(`/orders/${id}`, as)).json()) as OrderView;

  const addPrinter = (name: string, behaviour: { declines?: boolean; failsAt?: number } = {}) => addSharedPrinter(t, agents, name, behaviour);

  beforeAll(async () => {
    t = await startTestPlatform();
    ({ platform } = t);
    const terms = { priceCents: 1500, royaltyCents: 900, editionSize: 2, allowedMaterials: ['PLA'], commercialUse: false };
    designId = await listDesign(t, 'Desk hook', terms, [20, 20, 6]);
    printerId = await addPrinter('Workshop MK4');
  }, 180_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    for (const r of receivers) await r.close();
    await t?.close();
  });

  const place = (body: Record<string, unknown>) => api('/orders', 'customer', { method: 'POST', body: JSON.stringify({ deliverTo: deliveryAddress, ...body }) });

  it('quotes, places, prints, tags, ships, delivers and releases; the product’s memory is on the ledger', async () => {
    // The operator has a payout account (ready at once on the embedded platform), the designer none yet.
    expect((await api('/me/payout-account', 'printer', { method: 'POST', body: JSON.stringify({ country: 'FR' }) })).status).toBe(201);
    const quoted = await api('/quotes', 'customer', { method: 'POST', body: JSON.stringify({ designId, material: 'PLA' }) });
    expect(quoted.status).toBe(200);
    const q = (await quoted.json()) as { printerId: string; licenseVersion: number; printerTermsVersion: number; quote: OrderView['quote'] };
    expect(q.printerId).toBe(printerId);
    expect(q.quote.designPriceCents).toBe(1500);
    expect(q.quote.totalCents).toBe(q.quote.designPriceCents + q.quote.printingFeeCents + q.quote.commissionCents + q.quote.shippingCents);

    const body = { clientOrderId: crypto.randomUUID(), designId, material: 'PLA', printerId, acceptedLicenseVersion: q.licenseVersion, acceptedPrinterTermsVersion: q.printerTermsVersion, paymentMethod: '4242 4242 4242 4242' };
    expect((await place({ ...body, acceptedLicenseVersion: q.licenseVersion + 1 })).status).toBe(409);
    const placed = await place(body);
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as OrderView;
    // A retried POST is the same order, not a second one.
    const again = await place(body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as OrderView).orderId).toBe(order.orderId);

    // Nobody unrelated sees it; the designer of the design does.
    expect((await api(`/orders/${order.orderId}`, 'partner')).status).toBe(404);
    expect((await api(`/orders/${order.orderId}`, 'designer')).status).toBe(200);
    expect((await api(`/orders/${order.orderId}/delivery`, 'designer', { method: 'POST' })).status).toBe(403);

    const shipped = await until('order shipped', () => orderOf(order.orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    expect(shipped.status).toBe('shipped');
    expect(shipped.attempts).toEqual([expect.objectContaining({ printerId, outcome: 'completed' })]);
    expect(shipped.tag?.url).toMatch(/^https?:\/\/[^/]+\/01\/\d{14}\/21\/.+\?s=[A-Za-z0-9_-]+$/);
    expect(JSON.stringify(shipped)).not.toMatch(/token|4242/i);
    // The workflow waits for the delivery to be confirmed before any money moves on.
    await new Promise((r) => setTimeout(r, 300));
    expect((await orderOf(order.orderId)).status).toBe('shipped');
    expect((await api(`/orders/${order.orderId}/delivery`, 'customer', { method: 'POST', body: '' })).status).not.toBe(409);

    expect((await api(`/orders/${order.orderId}/delivery`, 'customer', { method: 'POST' })).status).toBe(202);
    const done = await until('order completed', () => orderOf(order.orderId), (o) => o.status === 'completed');
    expect(done.printNumber).toBe(1);

    // Feedback once the product is delivered, once per order, and only by its customer.
    const rate = (as: string, body: unknown) => api(`/orders/${order.orderId}/rating`, as, { method: 'POST', body: JSON.stringify(body) });
    expect((await rate('customer', { designStars: 6, printerStars: 5 })).status).toBe(400);
    expect((await rate('customer', { designStars: 5, printerStars: 4, comment: 'Crisp layers' })).status).toBe(201);
    expect((await rate('customer', { designStars: 1, printerStars: 1 })).status).toBe(409);
    expect((await rate('designer', { designStars: 5, printerStars: 5 })).status).toBe(403);
    // The designer reads what was said about the design (not who said it, nor the printer's stars), and sees the print sold.
    const feedback = (await (await api('/me/ratings', 'designer')).json()) as { count: number; ratings: Record<string, unknown>[] };
    expect(feedback.ratings).toContainEqual({ orderId: order.orderId, designId, stars: 5, comment: 'Crisp layers', at: expect.any(String) });
    expect(JSON.stringify(feedback)).not.toMatch(/customer|printerStars/);
    const mineD = (await (await api('/me/designs', 'designer')).json()) as { designId: string; edition: { sold: number; issued: number; size: number } }[];
    expect(mineD.find((d) => d.designId === designId)?.edition).toMatchObject({ sold: 1, issued: 1 });

    // Payment history for each role: the customer's charge, the designer's royalty, the operator's payout.
    type Account = { account: string; balanceCents: number; lines: { orderId: string; step: string; amountCents: number }[] };
    const payments = async (as: string) => (await (await api('/me/payments', as)).json()) as Account[];
    const paid = (await payments('customer'))[0]!;
    expect(paid.lines).toContainEqual(expect.objectContaining({ orderId: order.orderId, step: 'escrow', amountCents: -done.quote.totalCents }));
    expect(paid.lines.reduce((n, l) => n + l.amountCents, 0)).toBe(paid.balanceCents);
    expect((await payments('designer'))[0]!.lines).toContainEqual(expect.objectContaining({ orderId: order.orderId, step: 'release', amountCents: 900 }));
    const payout = (await payments('printer')).find((a) => a.account === `printer:${printerId}:payouts`)!;
    expect(payout.lines).toContainEqual(expect.objectContaining({ orderId: order.orderId, amountCents: done.quote.printingFeeCents + done.quote.shippingCents }));
    expect(JSON.stringify(await payments('customer'))).not.toContain('royalties');
    // The operator's share went to their account; the designer's is owed until they have one.
    const fee = done.quote.printingFeeCents + done.quote.shippingCents;
    expect((await payments('printer')).find((a) => a.account === `printer:${printerId}:paid-out`)).toMatchObject({ balanceCents: fee });
    expect((await payments('designer')).find((a) => a.account.endsWith(':royalties'))!.balanceCents).toBe(900);

    // Notifications, in-app (and in the outbox): shipped and delivered for the customer, royalty for the designer.
    const inbox = async (as: string) => ((await (await api('/me/notifications', as)).json()) as { kind: string; orderId: string }[]).filter((n) => n.orderId === order.orderId).map((n) => n.kind);
    // Written just after the order is completed, so they can be a moment behind its status.
    const settled = (as: string, n: number) => until(`${as}'s notifications`, () => inbox(as), (kinds) => kinds.length >= n);
    expect((await settled('customer', 2)).sort()).toEqual(['order-completed', 'order-shipped']);
    expect(await settled('designer', 1)).toEqual(['royalty-earned']);
    expect(await settled('printer', 1)).toEqual(['payout-earned']);

    const mine = (await (await api('/me/orders', 'customer')).json()) as OrderView[];
    expect(mine.map((o) => o.orderId)).toContain(order.orderId);

    // The product's memory: CREATE at print time, then tagged, shipped and delivered, read with the official driver.
    const conn = new driver.Connection(`${platform.urls.ledger}/api/v1/`);
    const productId = done.productId!;
    const [asset] = await until('product on the ledger', () => conn.searchAssets(productId) as Promise<{ id: string }[]>, (a) => a.length === 1);
    const steps = await until(
      'product history',
      async () => (await conn.listTransactions(asset!.id)) as unknown as { operation: string; metadata: { step: string } }[],
      (txs) => txs.length === 4,
    );
    expect(steps.map((tx) => `${tx.operation} ${tx.metadata.step}`)).toEqual(['CREATE product.printed', 'TRANSFER product.tagged', 'TRANSFER product.shipped', 'TRANSFER product.delivered']);
    let out = '';
    expect(await dpm(['verify', asset!.id, '--ledger', platform.urls.ledger!], (s) => (out += s), () => undefined)).toBe(0);
    expect(out).toContain('VERIFIED: 4 transactions');
    expect(JSON.stringify(steps)).not.toContain(order.orderId);

    // Anyone who taps the tag the printer wrote gets the verdict and the product's memory.
    const written = agents[0]!.tag(done.tag!.serial)!;
    expect(written.url).toBe(done.tag!.url);
    const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, platform.gatewayUrl);
    type Verified = { verdict: string; checks: { signature: boolean; tag: string; ledger: string }; memory: { step: string; url: string; owner: string }[]; reasons: string[] };
    const tapped = written.tap();
    const first = await fetch(local(tapped));
    expect(first.status).toBe(200);
    const v = (await first.json()) as Verified;
    expect(v).toMatchObject({ verdict: 'authentic', checks: { signature: true, tag: 'fresh', ledger: 'verified' } });
    expect(v.memory.map((m) => m.step)).toEqual(['design.registered', 'product.printed', 'product.tagged', 'product.shipped', 'product.delivered']);
    for (const m of v.memory) expect((await fetch(m.url)).status).toBe(200);
    // Nothing personal: not the customer's account id, no e-mail address.
    const me = (await (await api('/me', 'customer')).json()) as { userId: string };
    expect(JSON.stringify(v)).not.toContain(me.userId);
    expect(JSON.stringify(v)).not.toContain('@');
    // The same URL again is a replayed counter: a copied URL or a cloned tag.
    expect(((await (await fetch(local(tapped))).json()) as Verified).verdict).toBe('possible-clone');
    expect(((await (await fetch(local(written.tap()))).json()) as Verified).checks.tag).toBe('fresh');
    // The printed code alone still verifies, and says the NFC tag was not checked.
    const printed = (await (await fetch(local(done.tag!.url))).json()) as Verified;
    expect(printed).toMatchObject({ verdict: 'authentic', checks: { tag: 'not-presented' } });
    const forged = (await (await fetch(local(done.tag!.url.replace(/s=[^&]+/, `s=${Buffer.alloc(64, 1).toString('base64url')}`)))).json()) as Verified;
    expect(forged).toMatchObject({ verdict: 'not-authentic', checks: { signature: false } });
    // Resale: the owner passes the product on; a retry changes nothing; the old owner cannot pass it on again.
    const partnerId = ((await (await api('/me', 'partner')).json()) as { userId: string }).userId;
    const transfer = { transferId: crypto.randomUUID(), toOwnerId: partnerId };
    const sell = (as: string, body: unknown) => api(`/products/${productId}/transfer`, as, { method: 'POST', body: JSON.stringify(body) });
    expect((await sell('partner', { ...transfer, transferId: crypto.randomUUID() })).status).toBe(403);
    expect((await sell('customer', transfer)).status).toBe(200);
    expect((await sell('customer', transfer)).status).toBe(200);
    expect((await sell('customer', { ...transfer, transferId: crypto.randomUUID() })).status).toBe(403);
    const resold = await until(
      'resale on the ledger',
      async () => (await (await fetch(local(done.tag!.url))).json()) as Verified & { ledger: { currentOwner: string } },
      (r) => r.memory.length === 6,
    );
    expect(resold.memory.at(-1)!.step).toBe('product.ownershipTransferred');
    expect(resold.verdict).toBe('authentic');
    expect(resold.ledger.currentOwner).not.toBe(v.memory.at(-1)!.owner);
    expect(JSON.stringify(resold)).not.toContain(partnerId);
    // Exports: EPCIS 2.0 events and a digital product passport, from the verified ledger memory.
    const epcis = (await (await api(`/products/${productId}/epcis`)).json()) as { type: string; schemaVersion: string; epcisBody: { eventList: { type: string; bizStep: string; 'dpm:ledgerTransaction': string }[] } };
    expect(epcis).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0' });
    expect(epcis.epcisBody.eventList.map((e) => `${e.type}:${e.bizStep}`)).toEqual(['TransformationEvent:commissioning', 'AssociationEvent:assembling', 'ObjectEvent:shipping', 'ObjectEvent:receiving', 'ObjectEvent:retail_selling']);
    for (const e of epcis.epcisBody.eventList) expect(resold.memory.map((m) => m.url)).toContain(e['dpm:ledgerTransaction']);
    const passport = (await (await api(`/products/${productId}/passport`)).json()) as { type: string; identifier: { 'gs1:gtin': string }; design: { fingerprintSha256: string }; verification: { ledger: string } };
    expect(passport).toMatchObject({ type: 'DigitalProductPassport', identifier: { 'gs1:gtin': done.tag!.gtin }, verification: { ledger: 'verified' } });
    expect(passport.design.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await api('/products/prd_000000000000000000000000/passport')).status).toBe(404);
    const badMac = new URL(local(written.tap()));
    badMac.searchParams.set('cmac', '0000000000000000');
    expect(((await (await fetch(badMac)).json()) as Verified).checks.tag).toBe('invalid');
    expect((await api(`/01/${done.tag!.gtin}/21/no-such-serial`)).status).toBe(404);
    expect((await api('/01/123/21/x')).status).toBe(400);

    // An admin refunds the delivered order: the operator's transfer is reversed, and every account's lines for the
    // order add up to zero again.
    expect((await api(`/orders/${order.orderId}/refund`, 'customer', { method: 'POST', body: JSON.stringify({ reason: 'Arrived broken' }) })).status).toBe(403);
    const refund = await api(`/orders/${order.orderId}/refund`, 'admin', { method: 'POST', body: JSON.stringify({ reason: 'Arrived broken' }) });
    expect(await refund.json()).toEqual({ orderId: order.orderId, status: 'refunded', refundedCents: done.quote.totalCents });
    expect((await orderOf(order.orderId)).status).toBe('refunded');
    const all = [...(await payments('customer')), ...(await payments('designer')), ...(await payments('printer')), ...(await payments('admin'))];
    for (const a of all) {
      const forOrder = a.lines.filter((l) => l.orderId === order.orderId);
      expect(forOrder.reduce((n, l) => n + l.amountCents, 0), a.account).toBe(0);
    }
    expect(all.find((a) => a.account === `printer:${printerId}:paid-out`)!.lines.map((l) => l.step)).toEqual(expect.arrayContaining(['payout:printing-fee', 'reversal:payout:printing-fee']));
    expect(await inbox('printer')).toContain('payout-reversed');
  }, 240_000);

  it('ends a declined card in a cancelled order that gives its licence back', async () => {
    const placed = await place({ clientOrderId: crypto.randomUUID(), designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: '4000 0000 0000 0002' });
    expect(placed.status).toBe(201);
    const { orderId } = (await placed.json()) as OrderView;
    const ended = await until('order ended', () => orderOf(orderId), (o) => o.status === 'cancelled' || o.status === 'refunded');
    expect(ended).toMatchObject({ status: 'cancelled', failure: { error: 'PaymentDeclined' } });
    expect(ended.failure!.cause).toContain('declined');
    // The notification is written just after the order is closed: it can be a moment behind the status.
    const notes = await until(
      'cancellation notified',
      async () => (await (await api('/me/notifications', 'customer')).json()) as { kind: string; orderId: string; text: string }[],
      (list) => list.some((n) => n.orderId === orderId),
    );
    expect(notes.find((n) => n.orderId === orderId)).toMatchObject({ kind: 'order-refunded', text: expect.stringContaining('cancelled') });

    // The edition holds 2 prints and one is sold: the licence of the declined order came back, so one more fits.
    const next = await place({ clientOrderId: crypto.randomUUID(), designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' });
    const { orderId: nextId } = (await next.json()) as OrderView;
    const dispatched = await until('next order printing', () => orderOf(nextId), (o) => !['placed', 'licensed'].includes(o.status));
    expect(dispatched.status).not.toBe('cancelled');
    // Not delivered yet: no rating.
    expect((await api(`/orders/${nextId}/rating`, 'customer', { method: 'POST', body: JSON.stringify({ designStars: 5, printerStars: 5 }) })).status).toBe(422);
    const third = await place({ clientOrderId: crypto.randomUUID(), designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' });
    const { orderId: thirdId } = (await third.json()) as OrderView;
    const soldOut = await until('third order ended', () => orderOf(thirdId), (o) => o.status === 'cancelled' || o.status === 'refunded');
    expect(soldOut.failure?.error).toBe('EditionSoldOut');
  }, 180_000);

  it('reassigns a job a printer declines, and reprints elsewhere when a print fails', async () => {
    const declining = await addPrinter('Declines everything', { declines: true });
    const failing = await addPrinter('Overheats', { failsAt: 0.3 });
    const terms = { priceCents: 800, royaltyCents: 300, editionSize: 10, allowedMaterials: ['PLA'], commercialUse: true };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Spare knob', terms }) })).json()) as {
      design: { designId: string };
      upload: { url: string; contentType: string };
    };
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(15, 15, 10)) });
    expect((await api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
    const printersTerms = (await (await api('/printers')).json()) as { printerId: string; terms: { version: number } }[];
    const versionOf = (id: string) => printersTerms.find((p) => p.printerId === id)!.terms.version;

    // The customer picks the declining printer; the platform moves the job on to the next match.
    const a = (await (
      await place({ clientOrderId: crypto.randomUUID(), designId: created.design.designId, material: 'PLA', printerId: declining, acceptedPrinterTermsVersion: versionOf(declining), acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' })
    ).json()) as OrderView;
    const aShipped = await until('declined order shipped', () => orderOf(a.orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    expect(aShipped.status).toBe('shipped');
    expect(aShipped.attempts[0]).toMatchObject({ printerId: declining, outcome: 'rejected', reason: 'the operator declined the job' });
    expect(aShipped.attempts.at(-1)!.outcome).toBe('completed');

    // The failing printer accepts, overheats at 30 %, and the order is printed by another printer.
    const b = (await (
      await place({ clientOrderId: crypto.randomUUID(), designId: created.design.designId, material: 'PLA', printerId: failing, acceptedPrinterTermsVersion: versionOf(failing), acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' })
    ).json()) as OrderView;
    const bShipped = await until('failed print reprinted', () => orderOf(b.orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    expect(bShipped.status).toBe('shipped');
    expect(bShipped.attempts[0]).toMatchObject({ printerId: failing, outcome: 'failed' });
    expect(bShipped.attempts[0]!.reason).toContain('thermal');
    expect(bShipped.attempts.at(-1)).toMatchObject({ printerId: printerId, outcome: 'completed' });

    // The operator of the printers sees the orders offered to them.
    expect((await api(`/orders/${b.orderId}`, 'printer')).status).toBe(200);

    // The customer and the printer's operator talk about the order; a retried post is one message; others see nothing.
    const say = (as: string, messageId: string, text: string) => api(`/orders/${b.orderId}/messages`, as, { method: 'POST', body: JSON.stringify({ messageId, text }) });
    const question = crypto.randomUUID();
    expect((await say('customer', question, 'Could it be matte black?')).status).toBe(201);
    expect((await say('customer', question, 'Could it be matte black?')).status).toBe(201);
    expect((await say('printer', crypto.randomUUID(), 'Yes, black PLA is loaded.')).status).toBe(201);
    const thread = (await (await api(`/orders/${b.orderId}/messages`, 'customer')).json()) as { from: string; text: string }[];
    expect(thread.map((m) => `${m.from}: ${m.text}`)).toEqual(['customer: Could it be matte black?', 'printer: Yes, black PLA is loaded.']);
    expect((await api(`/orders/${b.orderId}/messages`, 'designer')).status).toBe(403);
    expect((await say('customer', crypto.randomUUID(), '')).status).toBe(400);
  }, 180_000);

  it('asks a partner carrier for a label over its webhook (retried after a 500; a 410 endpoint is disabled), takes its tracking number, and tells it of the delivery it confirms with a signed webhook', async () => {
    const registered = await api('/partners', 'admin', { method: 'POST', body: JSON.stringify({ name: 'Rapid Parcel', kind: 'carrier' }) });
    expect(registered.status).toBe(201);
    const carrier = (await registered.json()) as { partnerId: string; webhookSecret: string };
    expect(carrier.webhookSecret).toMatch(/^whsec_/);
    expect((await api('/partners', 'customer', { method: 'POST', body: JSON.stringify({ name: 'Nope', kind: 'carrier' }) })).status).toBe(403);

    // The carrier's API key, and its two endpoints: a flaky one (500, then 200) and one that is gone (410).
    const issued = await api(`/partners/${carrier.partnerId}/keys`, 'admin', { method: 'POST', body: JSON.stringify({ label: 'dispatch', scopes: ['shipments:read', 'shipments:write', 'webhooks:manage'] }) });
    expect(issued.status).toBe(201);
    const { apiKey } = (await issued.json()) as { apiKey: string };
    const asCarrier = (path: string, init: RequestInit = {}) => fetch(`${platform.gatewayUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` } });
    const flaky = await receiver([500, 200]);
    const gone = await receiver([410]);
    receivers.push(flaky, gone);
    const subscribe = async (url: string, eventTypes: string[]) => {
      const r = await asCarrier('/partner/webhook-endpoints', { method: 'POST', body: JSON.stringify({ url, eventTypes }) });
      expect(r.status).toBe(201);
      return (await r.json()) as { endpointId: string; secret: string };
    };
    const flakyEndpoint = await subscribe(flaky.url, ['shipment.label_requested', 'order.delivered']);
    const goneEndpoint = await subscribe(gone.url, ['shipment.label_requested']);

    const terms = { priceCents: 500, royaltyCents: 200, editionSize: 5, allowedMaterials: ['PLA'], commercialUse: false };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Parcel hook', terms }) })).json()) as { design: { designId: string }; upload: { url: string; contentType: string } };
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(12, 12, 5)) });
    expect((await api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
    const placed = (await (await place({ clientOrderId: crypto.randomUUID(), designId: created.design.designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' })).json()) as OrderView;
    const shipped = await until('shipped with the carrier', () => orderOf(placed.orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    const shipment = (shipped as OrderView & { shipment: { carrierId: string; trackingNumber: string } }).shipment;
    expect(shipment.carrierId).toBe(carrier.partnerId);
    // The tracking number is the customer's alone; the designer and the printer's operator see only the carrier.
    for (const other of ['designer', 'printer']) expect(((await (await api(`/orders/${placed.orderId}`, other)).json()) as { shipment: unknown }).shipment).toEqual({ carrierId: carrier.partnerId });

    // The label request: refused with a 500 at once, delivered on the retry 5 s later, same webhook-id and body, signed.
    await until('label request retried', async () => flaky.received.length, (n) => n >= 2, 300);
    const [first, retry] = flaky.received;
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(retry!.body).toBe(first!.body);
    expect(Number(retry!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(4);
    for (const r of [first!, retry!]) expect(r.headers['webhook-signature']).toBe(signWebhook(secretBytes(flakyEndpoint.secret), r.headers['webhook-id']!, Number(r.headers['webhook-timestamp']), r.body));
    const request = JSON.parse(retry!.body) as { type: string; data: { orderId: string; parcel: { weightGrams: number }; pickup: { region: string } } };
    expect(request).toMatchObject({ type: 'shipment.label_requested', data: { orderId: placed.orderId, pickup: { region: 'Lyon' } } });
    expect(request.data.parcel.weightGrams).toBeGreaterThan(0);
    // Nothing about the customer travels to the carrier.
    const customerId = ((await (await api('/me', 'customer')).json()) as { userId: string }).userId;
    expect(retry!.body).not.toContain(customerId);
    // The gone endpoint answered 410 once and is disabled.
    await until('gone endpoint disabled', async () => (await (await asCarrier('/partner/webhook-endpoints')).json()) as { endpointId: string; state: string }[], (l) => l.find((e) => e.endpointId === goneEndpoint.endpointId)?.state === 'disabled');
    expect(gone.received).toHaveLength(1);

    // The carrier answers with its label: the order now carries the carrier's tracking number.
    const listed = (await (await asCarrier('/partner/shipments')).json()) as { orderId: string; state: string }[];
    // The carrier reads where to deliver in its own list (the address is sealed at rest and is not in the webhook).
    expect(listed.find((x) => x.orderId === placed.orderId)).toMatchObject({ state: 'label_requested', deliverTo: deliveryAddress });
    expect(retry!.body).not.toContain(deliveryAddress.line1);
    expect(JSON.stringify(await orderOf(placed.orderId))).not.toContain(deliveryAddress.line1);
    const trackingNumber = 'RP0042424242FR';
    const labelled = await asCarrier(`/partner/shipments/${placed.orderId}/label`, { method: 'PUT', body: JSON.stringify({ trackingNumber, labelUrl: 'https://labels.rapid-parcel.example/RP0042424242FR.pdf' }) });
    expect(labelled.status).toBe(200);
    expect(await labelled.json()).toMatchObject({ state: 'label_created', trackingNumber });
    expect(((await orderOf(placed.orderId)) as OrderView & { shipment: { trackingNumber: string } }).shipment.trackingNumber).toBe(trackingNumber);

    const body = JSON.stringify({ reference: placed.orderId, trackingNumber, status: 'delivered', at: new Date().toISOString() });
    const send = (headers: Record<string, string>, text = body, partnerId = carrier.partnerId) => fetch(`${platform.gatewayUrl}/webhooks/carriers/${partnerId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
    const signed = (id: string, at: number, text = body) => ({ 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(secretBytes(carrier.webhookSecret), id, at, text) });
    const now = Math.floor(Date.now() / 1000);
    expect((await send({})).status).toBe(401);
    expect((await send(signed('msg_1', now - 3600))).status).toBe(401);
    expect((await send(signed('msg_1', now), body.replace('delivered', 'in_transit'))).status).toBe(401);
    expect((await send(signed('msg_1', now), body, 'partner-unknown')).status).toBe(401);
    // The platform's first tracking number no longer names the shipment: the carrier's does.
    const stale = body.replace(trackingNumber, shipment.trackingNumber);
    expect((await send(signed('msg_0', now, stale), stale)).status).toBe(404);
    const ok = await send(signed('msg_1', now));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: true, duplicate: false });
    expect(await (await send(signed('msg_1', now))).json()).toEqual({ received: true, duplicate: true });
    await until('completed by the carrier', () => orderOf(placed.orderId), (o) => o.status === 'completed');

    // The carrier hears of the delivery, and sees every delivery with its attempts; it can replay one.
    const delivered = await until('order.delivered received', async () => flaky.received.filter((r) => r.body.includes('"order.delivered"')), (l) => l.length >= 1, 300);
    expect(JSON.parse(delivered[0]!.body)).toMatchObject({ type: 'order.delivered', data: { orderId: placed.orderId, confirmedBy: 'carrier', trackingNumber } });
    type Delivery = { deliveryId: string; endpointId: string; eventType: string; state: string; attempts: { outcome: string; statusCode?: number }[] };
    const deliveries = (await (await asCarrier('/partner/webhook-deliveries')).json()) as Delivery[];
    const labelDelivery = deliveries.find((d) => d.endpointId === flakyEndpoint.endpointId && d.eventType === 'shipment.label_requested')!;
    expect(labelDelivery).toMatchObject({ state: 'delivered', attempts: [{ outcome: 'failed', statusCode: 500 }, { outcome: 'delivered', statusCode: 200 }] });
    expect(deliveries.find((d) => d.endpointId === goneEndpoint.endpointId)).toMatchObject({ state: 'failed', attempts: [{ outcome: 'gone', statusCode: 410 }] });
    const replay = await asCarrier(`/partner/webhook-deliveries/${labelDelivery.deliveryId}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    await until('replayed', async () => flaky.received.filter((r) => r.headers['webhook-id'] === labelDelivery.deliveryId).length, (n) => n === 3, 300);
    // Replaying to the disabled endpoint is refused until the carrier enables it again.
    const goneDelivery = deliveries.find((d) => d.endpointId === goneEndpoint.endpointId)!;
    expect((await asCarrier(`/partner/webhook-deliveries/${goneDelivery.deliveryId}/replay`, { method: 'POST' })).status).toBe(409);
  }, 240_000);

  it('confirms a delivery by the customer’s first signed-in tap on the tag, and nothing for a bad token, a printed code or another account', async () => {
    const terms = { priceCents: 600, royaltyCents: 200, editionSize: 5, allowedMaterials: ['PLA'], commercialUse: false };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Tap-to-confirm hook', terms }) })).json()) as { design: { designId: string }; upload: { url: string; contentType: string } };
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(12, 12, 5)) });
    expect((await api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
    const printers = (await (await api('/printers')).json()) as { printerId: string; terms: { version: number } }[];
    const version = printers.find((p) => p.printerId === printerId)!.terms.version;
    const placed = (await (
      await place({ clientOrderId: crypto.randomUUID(), designId: created.design.designId, material: 'PLA', printerId, acceptedPrinterTermsVersion: version, acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' })
    ).json()) as OrderView;
    const shipped = await until('shipped', () => orderOf(placed.orderId), (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
    expect(shipped.status).toBe('shipped');

    type Scan = { verdict: string; checks: { tag: string }; delivery?: { outcome: string; reason?: string }; memory: { step: string; details: Record<string, unknown> }[] };
    // The tag's key reaches the printer over MQTT while the workflow moves on to shipping: the printer may write it a
    // moment after the order reads shipped.
    const written = (await until('tag written by the printer', async () => agents[0]!.tag(shipped.tag!.serial), (w) => w !== undefined))!;
    const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, platform.gatewayUrl);
    const scan = async (url: string, token?: string) => {
      const res = await fetch(local(url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect(res.status).toBe(200);
      if (token) expect(res.headers.get('cache-control')).toBe('no-store');
      return (await res.json()) as Scan;
    };
    // A tampered token (its claims rewritten, the signature kept) and a token that is not a JWT at all: the verdict
    // is answered as for anyone, and nothing is confirmed.
    // The ledger writer commits each step asynchronously: until the printed code verifies, the product is "not on the
    // ledger (yet)". The printed code can be checked any number of times, unlike a tap.
    await until('product on the ledger', () => scan(shipped.tag!.url), (v) => v.verdict === 'authentic');
    const [header, payload, signature] = t.tokens.customer!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 86_400 * 365 })).toString('base64url')}.${signature}`;
    expect(await scan(written.tap(), tampered)).toMatchObject({ verdict: 'authentic', checks: { tag: 'fresh' }, delivery: { outcome: 'not-confirmed', reason: expect.stringMatching(/token/) } });
    expect((await scan(written.tap(), 'garbage')).delivery?.outcome).toBe('not-confirmed');
    // The printed code is no proof of having the product; another account's tap confirms nothing either.
    expect((await scan(shipped.tag!.url, t.tokens.customer)).delivery).toMatchObject({ outcome: 'not-confirmed', reason: expect.stringMatching(/NFC tag/) });
    expect((await scan(written.tap(), t.tokens.designer)).delivery).toMatchObject({ outcome: 'not-confirmed', reason: expect.stringMatching(/did not order/) });
    // A copied tap URL is a replay, signed in or not.
    const copied = written.tap();
    await scan(copied);
    expect(await scan(copied, t.tokens.customer)).toMatchObject({ verdict: 'possible-clone', delivery: { outcome: 'not-confirmed' } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await orderOf(placed.orderId)).status).toBe('shipped');

    // The customer taps their product: delivered, the escrow is released, the ledger says how it was confirmed.
    expect(await scan(written.tap(), t.tokens.customer)).toMatchObject({ verdict: 'authentic', checks: { tag: 'fresh' }, delivery: { outcome: 'confirmed' } });
    await until('completed by the tap', () => orderOf(placed.orderId), (o) => o.status === 'completed');
    expect((await scan(written.tap(), t.tokens.customer)).delivery).toEqual({ outcome: 'already-confirmed' });
    const remembered = await until('delivery on the ledger', () => scan(shipped.tag!.url), (v) => v.memory.at(-1)?.step === 'product.delivered');
    expect(remembered.memory.at(-1)!.details).toMatchObject({ confirmedBy: 'customer-scan' });
    expect(remembered).not.toHaveProperty('delivery');
  }, 180_000);

  it('refuses bad orders with clear errors', async () => {
    expect((await place({ designId })).status).toBe(400);
    const unknown = await place({ clientOrderId: crypto.randomUUID(), designId: 'nope', material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' });
    expect(unknown.status).toBe(404);
    const material = await place({ clientOrderId: crypto.randomUUID(), designId, material: 'PETG', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' });
    expect(material.status).toBe(422);
    expect(((await material.json()) as { message: string }).message).toContain('allows PLA');
    // No address, or one a carrier could not use: refused before anything is charged, naming the field.
    const good = { clientOrderId: crypto.randomUUID(), designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa' };
    const noAddress = await api('/orders', 'customer', { method: 'POST', body: JSON.stringify(good) });
    expect(noAddress.status).toBe(400);
    expect(JSON.stringify(await noAddress.json())).toContain('deliverTo');
    const badCountry = await place({ ...good, deliverTo: { ...deliveryAddress, country: 'France' } });
    expect(badCountry.status).toBe(400);
    expect(JSON.stringify(await badCountry.json())).toContain('deliverTo.country');
    expect((await api('/orders', 'designer', { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await api('/orders', undefined, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});
