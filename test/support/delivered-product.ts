// A product that went the whole way, for tests that start where an order ends: a listed design, a virtual printer
// with its agent over MQTT, an order printed, tagged, shipped and delivered, and its memory on the ledger. The same
// steps as test/e2e/order-end-to-end.test.ts, shared by the browser tests.
import { addPrinter as addFleetPrinter, deliveryAddress, listDesign as listFleetDesign, type Agent } from './fleet.js';
import type { TestPlatform } from './test-platform.js';
import { until } from './until.js';

export type PrinterAgent = Agent;

export interface DeliveredProduct {
  orderId: string;
  productId: string;
  designId: string;
  printerId: string;
  tag: { gtin: string; serial: string; url: string };
  agent: PrinterAgent;
  /** The tag's printed Digital Link on the test platform's host. */
  printedUrl: string;
  /** A fresh NFC tap of the product's tag, on the test platform's host: each call advances the tag's counter. */
  tap(): string;
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

export async function listDesign(t: TestPlatform, title = 'Desk hook'): Promise<string> {
  return listFleetDesign(t, title, [20, 20, 6], { terms: { priceCents: 1500, royaltyCents: 900, editionSize: 5, allowedMaterials: ['PLA'], commercialUse: false } });
}

/** Registers a printer as the demo operator and starts its agent (which may decline every job, or overheat at a fraction of a print). */
export async function addPrinter(t: TestPlatform, name: string, behaviour: { declines?: boolean; failsAt?: number } = {}): Promise<{ printerId: string; agent: PrinterAgent }> {
  return addFleetPrinter(t, name, {
    agent: { ...(behaviour.declines ? { acceptJobs: false } : {}), ...(behaviour.failsAt !== undefined ? { faults: { thermalAt: behaviour.failsAt } } : {}) },
  });
}

/** Orders a print of a fresh design on a fresh printer and follows it to delivery and the ledger (5 memory steps). */
export async function deliverTaggedProduct(t: TestPlatform): Promise<DeliveredProduct> {
  const designId = await listDesign(t);
  const { printerId, agent } = await addPrinter(t, 'Workshop MK4');
  const quoted = (await (await expectOk(await t.api('/quotes', 'customer', { method: 'POST', body: JSON.stringify({ designId, material: 'PLA', printerId }) }), 'quote')).json()) as {
    licenseVersion: number;
    printerTermsVersion: number;
  };
  const body = { clientOrderId: crypto.randomUUID(), designId, material: 'PLA', printerId, acceptedLicenseVersion: quoted.licenseVersion, acceptedPrinterTermsVersion: quoted.printerTermsVersion, paymentMethod: 'pm_card_visa', deliverTo: deliveryAddress };
  const { orderId } = (await (await expectOk(await t.api('/orders', 'customer', { method: 'POST', body: JSON.stringify(body) }), 'place order')).json()) as { orderId: string };
  type View = { status: string; productId?: string; tag?: { gtin: string; serial: string; url: string } };
  const orderOf = async () => (await (await t.api(`/orders/${orderId}`, 'customer')).json()) as View;
  const shipped = await until('order shipped', orderOf, (o) => ['shipped', 'refunded', 'cancelled'].includes(o.status), 600);
  if (shipped.status !== 'shipped') throw new Error(`the order ended ${shipped.status}`);
  await expectOk(await t.api(`/orders/${orderId}/delivery`, 'customer', { method: 'POST' }), 'confirm delivery');
  const done = await until('order completed', orderOf, (o) => o.status === 'completed');
  const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, t.platform.gatewayUrl);
  const printedUrl = local(done.tag!.url);
  // The printed code (no NFC parameters) can be checked any number of times: wait until the delivery is on the ledger.
  await until('memory on the ledger', async () => (await (await fetch(printedUrl, { headers: { accept: 'application/json' } })).json()) as { memory?: unknown[] }, (v) => v.memory?.length === 5);
  const written = agent.tag(done.tag!.serial)!;
  return { orderId, productId: done.productId!, designId, printerId, tag: done.tag!, agent, printedUrl, tap: () => local(written.tap()) };
}
