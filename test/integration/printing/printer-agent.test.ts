// The printer agent against the real local broker: a job arrives, the print file sealed for this printer is fetched,
// opened and checked, printed layer by layer on the virtual printer (time-scaled), with signed progress, telemetry and
// shadow updates; faults end the job with an alert; the decrypted G-code is gone afterwards; another printer's key
// cannot open the file.
import mqtt, { type MqttClient } from 'mqtt';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinterAgent } from '../../../cli/printer-agent.js';
import { startMqttBroker } from '../../../local/servers/mqtt-broker.js';
import { generateDeviceKeys, verifyReport, type SignedReport } from '../../../shared/printing/device-keys.js';
import { sealPrintFile } from '../../../shared/printing/print-file-seal.js';
import { toGcode } from '../../../shared/slicing/gcode.js';
import { defaultProfile, defaultSettings } from '../../../shared/slicing/printer-profile.js';
import { slice } from '../../../shared/slicing/slice.js';
import { box } from '../../support/meshes.js';

describe('printer agent', () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMqttBroker>>;
  let files: Server;
  let filesUrl: string;
  const served = new Map<string, Buffer>();
  let platform: MqttClient;
  const keys = generateDeviceKeys();
  const gcode = Buffer.from(toGcode(slice(box(10, 10, 2), defaultProfile, defaultSettings), defaultProfile, defaultSettings).gcode);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-agent-'));
    broker = await startMqttBroker({ port: 0, wsPort: 0, dataPlanePort: 0, dataDir: join(dir, 'mqtt') });
    files = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      res.writeHead(body ? 200 : 404);
      res.end(body);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    const svc = broker.serviceCredentials();
    platform = await mqtt.connectAsync(broker.url, { ...svc, clientId: 'platform-test', protocolVersion: 4, reconnectPeriod: 0 });
    await platform.subscribeAsync('dpm/printers/#', { qos: 1 });
  });

  afterAll(async () => {
    await platform?.endAsync(true);
    await broker?.close();
    await new Promise((r) => files?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const messages = (thing: string) => {
    const seen: { kind: string; signed: SignedReport<Record<string, unknown>> }[] = [];
    platform.on('message', (t, m) => {
      const [, , who, kind] = t.split('/');
      // Jobs go to the printer; everything else comes from it.
      if (who === thing && kind !== 'jobs') seen.push({ kind: kind!, signed: JSON.parse(m.toString()) });
    });
    return seen;
  };
  // By the clock, 30 s: a count of 300 short sleeps came to 6 s, little for fetching, opening and printing a job on a
  // loaded machine. It returns as soon as the check holds.
  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(check()).toBe(true);
  };

  async function agentFor(thing: string, faults?: { runoutAt?: number; thermalAt?: number }, more: { timeScale?: number; progressEveryMs?: number; initialShadowWaitMs?: number; telemetryMs?: number } = {}) {
    const creds = await broker.registerThing(thing);
    return startPrinterAgent({ thing, mqttUrl: broker.url, username: creds.username, password: creds.password, keys, timeScale: 2000, progressEveryMs: 0, telemetryMs: 50, faults, workDir: join(dir, thing), ...more });
  }

  function offer(thing: string, jobId: string) {
    const { sealed, header } = sealPrintFile(gcode, { printerId: thing, publicKey: keys.encryption.publicKey }, { jobId, expiresAt: new Date(Date.now() + 3_600_000) });
    served.set(`/${jobId}`, sealed);
    return platform.publishAsync(`dpm/printers/${thing}/jobs`, JSON.stringify({ jobId, printFileUrl: `${filesUrl}/${jobId}`, gcodeSha256: header.gcodeSha256 }), { qos: 1 });
  }

  it('prints a job layer by layer with signed reports, then deletes the decrypted G-code', async () => {
    const seen = messages('p-ok');
    const agent = await agentFor('p-ok');
    await offer('p-ok', 'job-1');
    await until(() => seen.some((m) => m.kind === 'status' && m.signed.report.event === 'completed'));
    const progress = seen.filter((m) => m.kind === 'progress').map((m) => m.signed.report);
    // Every layer but the last, whose end is the job's end (reported as completed right after).
    expect(progress.map((p) => p.layer)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(progress.at(-1)).toMatchObject({ layers: 10, layer: 9 });
    expect(progress.at(-1)!.percent).toBeLessThan(100);
    expect(seen.find((m) => m.kind === 'status')!.signed.report).toMatchObject({ jobId: 'job-1', event: 'accepted', layers: 10 });
    for (const m of seen) expect(verifyReport(m.signed, keys.signing.publicKey), m.kind).toBe(true);
    expect(seen.some((m) => m.kind === 'telemetry')).toBe(true);
    expect(existsSync(join(dir, 'p-ok', 'job-1.gcode'))).toBe(false);
    const forged = { ...seen[0]!.signed, report: { ...seen[0]!.signed.report, layer: 99 } };
    expect(verifyReport(forged, keys.signing.publicKey)).toBe(false);
    await agent.stop();
  });

  it('reports no progress for a job done within its progress interval: its acceptance and its end say it all', async () => {
    const seen = messages('p-fast');
    // 10 layers in well under a second of wall time at this acceleration, against a 10 s reporting interval.
    const agent = await agentFor('p-fast', undefined, { timeScale: 1e6, progressEveryMs: 10_000 });
    await offer('p-fast', 'job-fast');
    await until(() => seen.some((m) => m.kind === 'status' && m.signed.report.event === 'completed'));
    expect(seen.filter((m) => m.kind === 'progress')).toEqual([]);
    expect(seen.filter((m) => m.kind === 'status').map((m) => m.signed.report.event)).toEqual(['accepted', 'completed']);
    await agent.stop();
  });

  it('takes a configuration its shadow gives after it stopped waiting, and reports it at once', async () => {
    const shadow = `${broker.dataPlaneUrl}/things/p-late/shadow`;
    const set = await fetch(shadow, { method: 'POST', body: JSON.stringify({ state: { desired: { config: { name: 'Late answer', approveJobs: true } } } }) });
    expect(set.status).toBe(200);
    // It stops waiting at once, so the shadow's answer always comes late; telemetry (which reports too) is an hour off.
    const agent = await agentFor('p-late', undefined, { initialShadowWaitMs: 0, telemetryMs: 3_600_000 });
    const reported = async () => ((await (await fetch(shadow)).json()) as { state?: { reported?: { approveJobs?: boolean; config?: { config?: { name?: string } } } } }).state?.reported;
    const deadline = Date.now() + 30_000;
    while ((await reported())?.approveJobs !== true && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await reported()).toMatchObject({ approveJobs: true, config: { config: { name: 'Late answer' } } });
    await agent.stop();
  });

  it('reports a filament run-out as an alert and fails the job', async () => {
    const seen = messages('p-runout');
    const agent = await agentFor('p-runout', { runoutAt: 0.5 });
    await offer('p-runout', 'job-2');
    await until(() => seen.some((m) => m.kind === 'status' && m.signed.report.event === 'failed'));
    expect(seen.find((m) => m.kind === 'alerts')!.signed.report).toMatchObject({ jobId: 'job-2', type: 'filament-runout' });
    expect(agent.state().material.levelPct).toBe(0);
    expect(existsSync(join(dir, 'p-runout', 'job-2.gcode'))).toBe(false);
    await agent.stop();
  });

  it('refuses a print file sealed for another printer', async () => {
    const seen = messages('p-other');
    const agent = await agentFor('p-other');
    const { sealed, header } = sealPrintFile(gcode, { printerId: 'p-ok', publicKey: keys.encryption.publicKey }, { jobId: 'job-3', expiresAt: new Date(Date.now() + 3_600_000) });
    served.set('/job-3', sealed);
    await platform.publishAsync('dpm/printers/p-other/jobs', JSON.stringify({ jobId: 'job-3', printFileUrl: `${filesUrl}/job-3`, gcodeSha256: header.gcodeSha256 }), { qos: 1 });
    await until(() => seen.some((m) => m.kind === 'status' && m.signed.report.event === 'failed'));
    expect(seen.find((m) => m.kind === 'status')!.signed.report.reason).toContain('printer p-ok');
    await agent.stop();
  });
});
