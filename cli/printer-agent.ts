// The printer agent: what runs beside a printer (here, beside a virtual one). It connects over MQTT with its own
// credentials, keeps its shadow up to date, takes a job, downloads the print file sealed for it alone, checks its
// hash, runs it on a virtual printer (time-scaled, layer by layer from our G-code simulator), reports progress,
// telemetry and alerts signed with its device key, and deletes the decrypted G-code when the job ends.
import mqtt, { type MqttClient } from 'mqtt';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signReport, type DeviceKeys } from '../shared/printing/device-keys.js';
import { openPrintFile } from '../shared/printing/print-file-seal.js';
import { SimulatedTag } from '../shared/tags/sun.js';
import { defaultProfile } from '../shared/slicing/printer-profile.js';
import { simulateGcode } from '../shared/slicing/simulate.js';
import { fitsBuildVolume } from '../shared/designs/printability.js';
import type { PrintabilityQuestion } from '../shared/printers/printability-proof.js';

export interface PrinterAgentOptions {
  thing: string;
  mqttUrl: string;
  /** Local broker: the thing's own password. */
  username?: string;
  password?: string;
  /** AWS IoT Core: the thing's X.509 certificate and key (PEM), over mqtts. */
  tls?: { cert: string; key: string; ca?: string };
  keys: DeviceKeys;
  /** How many times faster than real time the virtual printer runs. */
  timeScale: number;
  telemetryMs: number;
  /** Simulated faults, at a share (0–1) of the job's print time. */
  faults?: { runoutAt?: number; thermalAt?: number };
  material?: { type: string; levelPct: number; spoolMm: number };
  /** Whether the operator takes offered jobs (default: yes); a declined job is reported as rejected. */
  acceptJobs?: boolean;
  /** Where the printer keeps the decrypted G-code while it prints. */
  workDir: string;
  log?: (line: string) => void;
}

export interface Job {
  jobId: string;
  printFileUrl: string;
  gcodeSha256: string;
}

type Status = 'idle' | 'printing' | 'failed';

export async function startPrinterAgent(o: PrinterAgentOptions) {
  const log = o.log ?? (() => undefined);
  const topic = (kind: string) => `dpm/printers/${o.thing}/${kind}`;
  const material = { ...(o.material ?? { type: 'PLA', levelPct: 100, spoolMm: 330_000 }) };
  let status: Status = 'idle';
  let nozzleC = 24;
  let bedC = 23;
  let config: Record<string, unknown> = {};
  let current: { jobId: string; cancel: boolean } | undefined;
  await mkdir(o.workDir, { recursive: true });

  const client: MqttClient = await mqtt.connectAsync(o.mqttUrl, {
    clientId: o.thing,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    clean: true,
    ...(o.tls ? { cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca, rejectUnauthorized: true } : { username: o.username, password: o.password }),
  });
  const publish = (kind: string, report: object) => client.publishAsync(topic(kind), JSON.stringify(signReport({ thing: o.thing, at: new Date().toISOString(), ...report }, o.keys)), { qos: 1 });
  const reportShadow = (reported: object) => client.publishAsync(`$aws/things/${o.thing}/shadow/update`, JSON.stringify({ state: { reported } }), { qos: 1 });
  const snapshot = () => ({ status, nozzleC, bedC, material: { type: material.type, levelPct: Math.round(material.levelPct * 10) / 10 }, job: current?.jobId ?? null, config });

  /** How each job ended, by job id, so a job offered again is answered rather than printed twice. */
  const ended = new Map<string, { event: 'completed' } | { event: 'failed'; reason: string }>();
  /** NFC tags this printer wrote, by serial (a virtual printer keeps them so they can be tapped). */
  const tags = new Map<string, { tag: SimulatedTag; url: string }>();
  await client.subscribeAsync([topic('jobs'), topic('tags'), topic('printability-requests'), `$aws/things/${o.thing}/shadow/update/delta`], { qos: 1 });
  await reportShadow(snapshot());
  const telemetry = setInterval(() => void publish('telemetry', snapshot()).catch(() => undefined), o.telemetryMs);

  client.on('message', (t, payload) => {
    let message: unknown;
    try {
      message = JSON.parse(payload.toString());
    } catch {
      log(`ignored a message on ${t} that is not JSON`);
      return;
    }
    if (t.endsWith('/shadow/update/delta')) {
      // The operator's desired configuration: take it, and say so.
      config = { ...config, ...((message as { state?: Record<string, unknown> }).state ?? {}) };
      void reportShadow({ config });
      return;
    }
    if (t === topic('tags')) {
      writeTag(message as Partial<{ serial: string; url: string; uid: string; sealedKey: string; keySha256: string }>);
      return;
    }
    if (t === topic('printability-requests')) {
      void answerPrintability(message as Partial<PrintabilityQuestion>);
      return;
    }
    const job = message as Partial<Job>;
    if (typeof job.jobId !== 'string' || typeof job.printFileUrl !== 'string' || typeof job.gcodeSha256 !== 'string') {
      void publish('alerts', { type: 'invalid-job', detail: 'a job needs jobId, printFileUrl and gcodeSha256' });
      return;
    }
    const finished = ended.get(job.jobId);
    if (finished) {
      // A job this printer already finished, offered again after a restart: its outcome again, not a second print.
      void publish('status', { jobId: job.jobId, ...finished });
      return;
    }
    if (current) {
      // The same job offered again (the platform restarted, or retried): confirm it rather than refuse it.
      if (current.jobId === job.jobId) void publish('status', { jobId: job.jobId, event: 'accepted' });
      else void publish('status', { jobId: job.jobId, event: 'rejected', busy: true, reason: `busy with job ${current.jobId}` });
      return;
    }
    if (o.acceptJobs === false) {
      void publish('status', { jobId: job.jobId, event: 'rejected', reason: 'the operator declined the job' });
      return;
    }
    void run(job as Job);
  });

  /** Writes a product's NFC tag: its key arrives sealed to this printer's device key, and only this printer can open it. */
  function writeTag(m: Partial<{ serial: string; url: string; uid: string; sealedKey: string; keySha256: string }>) {
    if (typeof m.serial !== 'string' || typeof m.url !== 'string' || typeof m.uid !== 'string' || typeof m.sealedKey !== 'string') {
      void publish('alerts', { type: 'invalid-tag-request' });
      return;
    }
    try {
      const key = openPrintFile(Buffer.from(m.sealedKey, 'base64'), { printerId: o.thing, ...o.keys.encryption }, { jobId: `tag:${m.serial}`, gcodeSha256: m.keySha256, now: new Date() });
      if (!tags.has(m.serial)) tags.set(m.serial, { tag: new SimulatedTag(key, m.uid), url: m.url });
    } catch (err) {
      void publish('alerts', { type: 'tag-not-written', serial: m.serial, detail: (err as Error).message });
    }
  }

  /** Checks a design's size against this printer's own configured build volume, and signs the answer. */
  async function answerPrintability(q: Partial<PrintabilityQuestion>) {
    if (typeof q.requestId !== 'string' || typeof q.designId !== 'string' || !Array.isArray(q.size) || q.size.length !== 3) {
      await publish('alerts', { type: 'invalid-printability-request' });
      return;
    }
    const configured = (config.config ?? {}) as { profile?: { bed?: { x?: number; y?: number }; maxZ?: number }; version?: number };
    const buildVolume = {
      x: configured.profile?.bed?.x ?? defaultProfile.bed.x,
      y: configured.profile?.bed?.y ?? defaultProfile.bed.y,
      z: configured.profile?.maxZ ?? defaultProfile.maxZ,
    };
    const fit = fitsBuildVolume(q.size as [number, number, number], buildVolume);
    await publish('printability', { requestId: q.requestId, designId: q.designId, ...fit, buildVolume, configVersion: configured.version ?? 0 });
  }

  async function run(job: Job) {
    current = { jobId: job.jobId, cancel: false };
    const file = join(o.workDir, `${job.jobId}.gcode`);
    let outcome: { event: 'completed' } | { event: 'failed'; reason: string };
    try {
      const res = await fetch(job.printFileUrl);
      if (!res.ok) throw new Error(`the print file could not be downloaded (${res.status})`);
      const gcode = openPrintFile(new Uint8Array(await res.arrayBuffer()), { printerId: o.thing, ...o.keys.encryption }, { jobId: job.jobId, gcodeSha256: job.gcodeSha256, now: new Date() });
      await writeFile(file, gcode, { mode: 0o600 });
      const plan = simulateGcode(gcode.toString('utf8'), defaultProfile.limits);
      await publish('status', { jobId: job.jobId, event: 'accepted', layers: plan.layers.length, estimatedSeconds: Math.round(plan.seconds) });
      status = 'printing';
      nozzleC = 210;
      bedC = 60;
      await reportShadow(snapshot());
      const total = plan.seconds || 1;
      const perMm = 100 / material.spoolMm;
      const filamentPerSecond = plan.filamentMm / total;
      for (const layer of plan.layers) {
        await new Promise((r) => setTimeout(r, (layer.seconds * 1000) / o.timeScale));
        if (current.cancel) throw new Error('cancelled');
        material.levelPct = Math.max(0, material.levelPct - layer.seconds * filamentPerSecond * perMm);
        const share = layer.cumulativeSeconds / total;
        if (o.faults?.runoutAt !== undefined && share >= o.faults.runoutAt) {
          material.levelPct = 0;
          await publish('alerts', { jobId: job.jobId, type: 'filament-runout', layer: layer.index });
          throw new Error('filament ran out');
        }
        if (o.faults?.thermalAt !== undefined && share >= o.faults.thermalAt) {
          await publish('alerts', { jobId: job.jobId, type: 'thermal-runaway', layer: layer.index, nozzleC: 295 });
          throw new Error('thermal alert: heaters shut down');
        }
        await publish('progress', {
          jobId: job.jobId,
          layer: layer.index + 1,
          layers: plan.layers.length,
          percent: Math.round(share * 1000) / 10,
          remainingSeconds: Math.round(total - layer.cumulativeSeconds),
        });
      }
      outcome = { event: 'completed' };
      status = 'idle';
    } catch (err) {
      status = 'failed';
      outcome = { event: 'failed', reason: (err as Error).message };
    } finally {
      // The decrypted G-code never outlives its job: it is gone before the job's end is reported.
      await rm(file, { force: true });
      nozzleC = 24;
      bedC = 23;
      current = undefined;
    }
    ended.set(job.jobId, outcome);
    await publish('status', { jobId: job.jobId, ...outcome }).catch(() => undefined);
    await reportShadow(snapshot()).catch(() => undefined);
  }

  return {
    state: snapshot,
    /** The NFC tag this printer wrote for a serial: `tap()` gives the URL a phone would open. */
    tag(serial: string) {
      const written = tags.get(serial);
      return written ? { url: written.url, tap: () => written.tag.tap(written.url) } : undefined;
    },
    async stop() {
      clearInterval(telemetry);
      if (current) current.cancel = true;
      await client.endAsync();
    },
  };
}
