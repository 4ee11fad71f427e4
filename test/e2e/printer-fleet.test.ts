// A printer joins the platform: its operator registers it with the device's public keys, gets credentials once, the
// agent connects with them and reports through its shadow; configuration changes reach it as deltas; customers see
// it in the list. Other users cannot change it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import type { RunningPlatform } from '../../local/runtime.js';
import { generateDeviceKeys, publicKeys, verifyReport, type SignedReport } from '../../shared/printing/device-keys.js';
import { binaryStl, box } from '../support/meshes.js';
import { until as waitFor } from '../support/until.js';

describe('a printer joins the fleet', () => {
  let t: TestPlatform;
  let platform: RunningPlatform;
  let dataDir: string;
  let agent: Awaited<ReturnType<typeof startPrinterAgent>> | undefined;

  beforeAll(async () => {
    t = await startTestPlatform();
    ({ platform, dataDir } = t);
  });

  afterAll(async () => {
    await agent?.stop();
    await t?.close();
  });

  const api = (path: string, as?: string, init: RequestInit = {}) => t.api(path, as, init);
  const config = {
    name: 'Workshop MK4',
    region: 'Lyon',
    profile: { bed: { x: 250, y: 210 }, maxZ: 220 },
    loadedMaterials: [{ type: 'PLA', color: 'black' }],
  };
  const terms = { feePerHourCents: 150, feePerGramCents: 4, text: 'Printed within two days; reprint once if a print fails.' };
  // The shared helper's 30 s rather than 10 s: each wait is a round trip through MQTT and the platform's handlers.
  const until = (what: string, check: () => Promise<boolean>) => waitFor(what, check, (ok) => ok);

  it('registers, connects with its credentials, reports, takes configuration, and is listed', async () => {
    const keys = generateDeviceKeys();
    expect((await api('/printers', 'customer', { method: 'POST', body: JSON.stringify({ config, terms, deviceKeys: publicKeys(keys) }) })).status).toBe(403);
    const res = await api('/printers', 'printer', { method: 'POST', body: JSON.stringify({ config, terms, deviceKeys: publicKeys(keys) }) });
    expect(res.status).toBe(201);
    const { printer, credentials } = (await res.json()) as { printer: { printerId: string }; credentials: { kind: string; username: string; password: string; endpoint: string } };
    expect(credentials).toMatchObject({ kind: 'password', username: printer.printerId, endpoint: platform.urls.mqtt });

    agent = await startPrinterAgent({ thing: printer.printerId, mqttUrl: credentials.endpoint, username: credentials.username, password: credentials.password, keys, timeScale: 1000, telemetryMs: 1000, workDir: join(dataDir, 'agent') });
    await until('the agent reported idle', async () => {
      const mine = (await (await api('/me/printers', 'printer')).json()) as { printerId: string; reported: { status?: string } | null }[];
      return mine.find((p) => p.printerId === printer.printerId)?.reported?.status === 'idle';
    });

    const changed = { ...config, loadedMaterials: [{ type: 'PETG', color: 'orange' }] };
    expect((await api(`/printers/${printer.printerId}/config`, 'printer', { method: 'PUT', body: JSON.stringify(changed) })).status).toBe(200);
    await until('the configuration reached the agent', async () => (agent!.state().config as { config?: { version?: number } }).config?.version === 2);

    const list = (await (await api('/printers')).json()) as { printerId: string; online: boolean; loadedMaterials: unknown[] }[];
    expect(list.find((p) => p.printerId === printer.printerId)).toMatchObject({ online: true, loadedMaterials: [{ type: 'PETG', color: 'orange' }] });
    expect(JSON.stringify(list)).not.toContain('signingKey');

    expect((await api(`/printers/${printer.printerId}/terms`, 'printer', { method: 'PUT', body: JSON.stringify({ ...terms, feePerHourCents: 175 }) })).status).toBe(200);
    expect((await api(`/printers/${printer.printerId}/terms`, 'designer', { method: 'PUT', body: JSON.stringify(terms) })).status).toBe(403);
    expect((await api(`/printers/${printer.printerId}/config`, 'printer', { method: 'PUT', body: JSON.stringify({ ...config, region: '' }) })).status).toBe(400);

    // A proof of printability: the printer checks a listed design against its own build volume and signs the answer.
    const designTerms = { priceCents: 900, royaltyCents: 300, editionSize: 10, allowedMaterials: ['PLA'], commercialUse: false };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Tall vase', terms: designTerms }) })).json()) as {
      design: { designId: string };
      upload: { url: string; contentType: string };
    };
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(60, 60, 215)) });
    expect((await api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);
    const asked = await api(`/designs/${created.design.designId}/printability`, 'customer', { method: 'POST', body: JSON.stringify({ printerId: printer.printerId }) });
    expect(asked.status).toBe(202);
    let proofs: { printerId: string; signed: SignedReport<{ fits: boolean; buildVolume: { z: number } }>; signingKey: string }[] = [];
    await until('a proof of printability', async () => {
      proofs = (await (await api(`/designs/${created.design.designId}/printability`)).json()) as typeof proofs;
      return proofs.length > 0;
    });
    expect(proofs[0]!.printerId).toBe(printer.printerId);
    expect(proofs[0]!.signed.report).toMatchObject({ fits: true, buildVolume: { z: 220 } });
    expect(verifyReport(proofs[0]!.signed, proofs[0]!.signingKey)).toBe(true);
    expect(proofs[0]!.signingKey).toBe(keys.signing.publicKey);
  });
});
