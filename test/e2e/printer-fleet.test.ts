// A printer joins the platform: its operator registers it with the device's public keys, gets credentials once, the
// agent connects with them and reports through its shadow; configuration changes reach it as deltas; customers see
// it in the list. Other users cannot change it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import type { RunningPlatform } from '../../local/runtime.js';
import { generateDeviceKeys, publicKeys } from '../../shared/printing/device-keys.js';

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
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) if (await check()) return;
    else await new Promise((r) => setTimeout(r, 100));
    throw new Error('condition not met in time');
  };

  it('registers, connects with its credentials, reports, takes configuration, and is listed', async () => {
    const keys = generateDeviceKeys();
    expect((await api('/printers', 'customer', { method: 'POST', body: JSON.stringify({ config, terms, deviceKeys: publicKeys(keys) }) })).status).toBe(403);
    const res = await api('/printers', 'printer', { method: 'POST', body: JSON.stringify({ config, terms, deviceKeys: publicKeys(keys) }) });
    expect(res.status).toBe(201);
    const { printer, credentials } = (await res.json()) as { printer: { printerId: string }; credentials: { kind: string; username: string; password: string; endpoint: string } };
    expect(credentials).toMatchObject({ kind: 'password', username: printer.printerId, endpoint: platform.urls.mqtt });

    agent = await startPrinterAgent({ thing: printer.printerId, mqttUrl: credentials.endpoint, username: credentials.username, password: credentials.password, keys, timeScale: 1000, telemetryMs: 1000, workDir: join(dataDir, 'agent') });
    await until(async () => {
      const mine = (await (await api('/me/printers', 'printer')).json()) as { printerId: string; reported: { status?: string } | null }[];
      return mine.find((p) => p.printerId === printer.printerId)?.reported?.status === 'idle';
    });

    const changed = { ...config, loadedMaterials: [{ type: 'PETG', color: 'orange' }] };
    expect((await api(`/printers/${printer.printerId}/config`, 'printer', { method: 'PUT', body: JSON.stringify(changed) })).status).toBe(200);
    await until(async () => (agent!.state().config as { config?: { version?: number } }).config?.version === 2);

    const list = (await (await api('/printers')).json()) as { printerId: string; online: boolean; loadedMaterials: unknown[] }[];
    expect(list.find((p) => p.printerId === printer.printerId)).toMatchObject({ online: true, loadedMaterials: [{ type: 'PETG', color: 'orange' }] });
    expect(JSON.stringify(list)).not.toContain('signingKey');

    expect((await api(`/printers/${printer.printerId}/terms`, 'printer', { method: 'PUT', body: JSON.stringify({ ...terms, feePerHourCents: 175 }) })).status).toBe(200);
    expect((await api(`/printers/${printer.printerId}/terms`, 'designer', { method: 'PUT', body: JSON.stringify(terms) })).status).toBe(403);
    expect((await api(`/printers/${printer.printerId}/config`, 'printer', { method: 'PUT', body: JSON.stringify({ ...config, region: '' }) })).status).toBe(400);
  });
});
