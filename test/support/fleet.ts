// The demo operator's printers and the demo designer's listed design, made through the API as people make them, for
// tests that need an order to print: a printer registered with device keys made here (as `dpm-printer init` makes
// them), and a simulated printer agent connected with the credentials the registration handed out.
import { join } from 'node:path';
import { startPrinterAgent, type PrinterAgentOptions } from '../../cli/printer-agent.js';
import { generateDeviceKeys, publicKeys } from '../../shared/printing/device-keys.js';
import { binaryStl, box } from './meshes.js';
import type { TestPlatform } from './test-platform.js';
import { until } from './until.js';

export type Agent = Awaited<ReturnType<typeof startPrinterAgent>>;

/** Where the tests' parcels go: a made-up address, sealed by the platform like any other. */
export const deliveryAddress = { name: 'Carla Customer', line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' };

export const printerTerms = { feePerHourCents: 200, feePerGramCents: 5, text: 'Printed within two days; one reprint if a print fails.' };

export function printerConfig(name: string, extra: Record<string, unknown> = {}) {
  return { name, region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'black' }], ...extra };
}

/** Registers a printer for `as` and connects a simulated agent; resolves once the operator's list shows it online. */
export async function addPrinter(
  t: TestPlatform,
  name: string,
  opts: { as?: string; config?: Record<string, unknown>; terms?: typeof printerTerms; agent?: Partial<PrinterAgentOptions> } = {},
): Promise<{ printerId: string; agent: Agent }> {
  const as = opts.as ?? 'printer';
  const keys = generateDeviceKeys();
  const res = await t.api('/printers', as, { method: 'POST', body: JSON.stringify({ config: printerConfig(name, opts.config), terms: opts.terms ?? printerTerms, deviceKeys: publicKeys(keys) }) });
  if (res.status !== 201) throw new Error(`registering ${name}: ${res.status} ${await res.text()}`);
  const { printer, credentials } = (await res.json()) as { printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } };
  const agent = await startPrinterAgent({
    thing: printer.printerId,
    mqttUrl: credentials.endpoint,
    username: credentials.username,
    password: credentials.password,
    keys,
    timeScale: 5000,
    telemetryMs: 60_000,
    workDir: join(t.dataDir, `agent-${printer.printerId}`),
    ...opts.agent,
  });
  await until(
    `${name} online`,
    async () => (await (await t.api('/me/printers', as)).json()) as { printerId: string; online: boolean }[],
    (list) => list.some((p) => p.printerId === printer.printerId && p.online),
  );
  return { printerId: printer.printerId, agent };
}

/** A design of the demo designer, uploaded and ingested (listed), of a small box that prints in a few seconds. */
export async function listDesign(
  t: TestPlatform,
  title: string,
  size: [number, number, number] = [20, 20, 6],
  opts: { terms?: Record<string, unknown>; extra?: Record<string, unknown> } = {},
): Promise<string> {
  const terms = opts.terms ?? { priceCents: 1500, royaltyCents: 900, editionSize: 50, allowedMaterials: ['PLA'], commercialUse: false };
  const created = (await (await t.api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title, terms, ...opts.extra }) })).json()) as {
    design: { designId: string };
    upload: { url: string; contentType: string };
  };
  await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(...size)) });
  const ingested = await t.api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' });
  if (ingested.status !== 200) throw new Error(`ingesting ${title}: ${ingested.status} ${await ingested.text()}`);
  return created.design.designId;
}

/** The demo customer orders a print of `designId` on `printerId` (its current terms accepted); resolves to the order id. */
export async function orderOn(t: TestPlatform, designId: string, printerId: string): Promise<string> {
  const quoted = await t.api('/quotes', 'customer', { method: 'POST', body: JSON.stringify({ designId, material: 'PLA', printerId }) });
  if (quoted.status !== 200) throw new Error(`quoting: ${quoted.status} ${await quoted.text()}`);
  const q = (await quoted.json()) as { licenseVersion: number; printerTermsVersion: number };
  const body = { clientOrderId: crypto.randomUUID(), designId, material: 'PLA', printerId, acceptedLicenseVersion: q.licenseVersion, acceptedPrinterTermsVersion: q.printerTermsVersion, paymentMethod: '4242 4242 4242 4242', deliverTo: deliveryAddress };
  const placed = await t.api('/orders', 'customer', { method: 'POST', body: JSON.stringify(body) });
  if (placed.status !== 201) throw new Error(`ordering: ${placed.status} ${await placed.text()}`);
  return ((await placed.json()) as { orderId: string }).orderId;
}
