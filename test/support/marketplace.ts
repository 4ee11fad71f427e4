// The marketplace the order tests start from: a listed design and printers online through simulated printer agents,
// made through the API as a designer and an operator would.
import { join } from 'node:path';
import { expect } from 'vitest';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import { generateDeviceKeys, publicKeys } from '../../shared/printing/device-keys.js';
import { binaryStl, box } from './meshes.js';
import type { TestPlatform } from './test-platform.js';
import { until } from './until.js';

export type PrinterAgent = Awaited<ReturnType<typeof startPrinterAgent>>;

/** A design listed by the demo designer: created, its STL (a box of `size` mm) uploaded and ingested. */
export async function listDesign(t: TestPlatform, title: string, terms: Record<string, unknown>, size: [number, number, number], extra: Record<string, unknown> = {}): Promise<string> {
  const created = (await (await t.api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title, terms, ...extra }) })).json()) as {
    design: { designId: string };
    upload: { url: string; contentType: string };
  };
  const designId = created.design.designId;
  await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(...size)) });
  expect((await t.api(`/designs/${designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
  return designId;
}

/**
 * A printer of the demo operator, online through a simulated printer agent (pushed onto `agents` for the caller to
 * stop). `timeScale` is how many times faster than real time it prints.
 */
export async function addPrinter(
  t: TestPlatform,
  agents: PrinterAgent[],
  name: string,
  behaviour: { declines?: boolean; failsAt?: number; timeScale?: number; terms?: { feePerHourCents: number; feePerGramCents: number; text: string } } = {},
): Promise<string> {
  const keys = generateDeviceKeys();
  const config = { name, region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'black' }] };
  const terms = behaviour.terms ?? { feePerHourCents: 200, feePerGramCents: 5, text: 'Printed within two days; one reprint if a print fails.' };
  const res = await t.api('/printers', 'printer', { method: 'POST', body: JSON.stringify({ config, terms, deviceKeys: publicKeys(keys) }) });
  expect(res.status).toBe(201);
  const { printer, credentials } = (await res.json()) as { printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } };
  const agent = await startPrinterAgent({
    thing: printer.printerId,
    mqttUrl: credentials.endpoint,
    username: credentials.username,
    password: credentials.password,
    keys,
    timeScale: behaviour.timeScale ?? 5000,
    telemetryMs: 60_000,
    workDir: join(t.dataDir, `agent-${printer.printerId}`),
    ...(behaviour.declines ? { acceptJobs: false } : {}),
    ...(behaviour.failsAt !== undefined ? { faults: { thermalAt: behaviour.failsAt } } : {}),
  });
  agents.push(agent);
  await until(
    'printer online',
    async () => (await (await t.api('/printers')).json()) as { printerId: string; online: boolean }[],
    (list) => list.some((p) => p.printerId === printer.printerId && p.online),
  );
  return printer.printerId;
}
