// The printer agent: what runs beside a printer (here, beside a virtual one). It connects over MQTT with its own
// credentials, keeps its shadow up to date, takes a job, downloads the print file sealed for it alone, checks its
// hash, runs it on a virtual printer (time-scaled, layer by layer from our G-code simulator), reports progress,
// telemetry and alerts signed with its device key, and deletes the decrypted G-code when the job ends. Its shadow
// carries what its operator's dashboard shows (temperatures, material, progress, recent alerts, offers held for the
// operator), refreshed with each telemetry tick. With `approveJobs` in its configuration it holds each offer until its
// operator decides (the platform forwards the decision on the printer's `decisions` topic) and answers the order
// itself, signed, as it does when it decides alone.
import mqtt, { type MqttClient } from 'mqtt';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signReport, type DeviceKeys } from '../shared/printing/device-keys.js';
import { openPrintFile } from '../shared/printing/print-file-seal.js';
import { SimulatedTag } from '../shared/tags/sun.js';
import { defaultProfile } from '../shared/slicing/printer-profile.js';
import { simulateGcode, type Simulation } from '../shared/slicing/simulate.js';
import { LRUCache } from 'lru-cache';
import { fitsBuildVolume } from '../shared/designs/printability.js';
import type { PrintabilityQuestion } from '../shared/printers/printability-proof.js';
import { declaredLot } from '../shared/printers/printer.js';

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
  /** The least wall-clock time between two progress reports, counted from the job's acceptance (default 250 ms). Each
   * report is a signed MQTT message the platform checks, records and turns into a workflow heartbeat, so a printer
   * whose layers take less than this (a time-accelerated one, or tiny layers) reports a sample of them, and a job done
   * within it none: its acceptance and its end say all there is. The last layer is never reported as progress, since
   * the job's end follows at once. */
  progressEveryMs?: number;
  /** How long the agent waits, when it starts, for its shadow's configuration before going on without it (default
   * 3 s); a later answer is taken all the same. */
  initialShadowWaitMs?: number;
  /** How often a held offer tells the waiting order step it is still being considered (default 30 s, under its 120 s heartbeat). */
  holdHeartbeatMs?: number;
  /** Where the printer keeps the decrypted G-code while it prints. */
  workDir: string;
  log?: (line: string) => void;
}

export interface Job {
  jobId: string;
  printFileUrl: string;
  gcodeSha256: string;
  material?: string;
  color?: string;
}

type Outcome = { event: 'completed'; materialLot?: string } | { event: 'failed'; reason: string };

type Status = 'idle' | 'printing' | 'failed' | 'offline';

/** How many recent alerts (and ended jobs) the shadow keeps for the operator's dashboard. */
const keptAlerts = 5;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A shadow delta holds only the changed leaves; merged into what the agent has, it gives the whole configuration. */
function mergeDeep(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) out[k] = isObj(v) && isObj(out[k]) ? mergeDeep(out[k] as Json, v) : v;
  return out;
}

export async function startPrinterAgent(o: PrinterAgentOptions) {
  const log = o.log ?? (() => undefined);
  const topic = (kind: string) => `dpm/printers/${o.thing}/${kind}`;
  const material = { ...(o.material ?? { type: 'PLA', levelPct: 100, spoolMm: 330_000 }) };
  let status: Status = 'idle';
  let nozzleC = 24;
  let bedC = 23;
  let config: Record<string, unknown> = {};
  let current: { jobId: string; cancel: boolean } | undefined;
  // The print's timeline by its G-code's SHA-256, which openPrintFile has checked against the bytes: a printer is sent
  // the same G-code again and again (a popular design in one material and profile), and simulating it takes longer than
  // anything else the agent does for a job. Read only.
  const plans = new LRUCache<string, Simulation>({ max: 16 });
  let progress: { jobId: string; layer: number; layers: number; percent: number } | null = null;
  const alerts: { type: string; at: string; jobId?: string; detail?: string }[] = [];
  /** Offers waiting for the operator's decision, by job id. */
  const held = new Map<string, { job: Job; offeredAt: string; material?: string; color?: string }>();
  /** The last jobs this printer finished or turned down, newest first, so its operator still sees them for a while. */
  const recent: { jobId: string; outcome: string; at: string }[] = [];
  const remember = (jobId: string, outcome: string) => {
    recent.unshift({ jobId, outcome, at: new Date().toISOString() });
    recent.length = Math.min(recent.length, keptAlerts);
  };
  const approveJobs = () => (config.config as { approveJobs?: unknown } | undefined)?.approveJobs === true;
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
  const alert = async (a: { type: string; jobId?: string; detail?: string } & Json) => {
    alerts.unshift({ type: a.type, at: new Date().toISOString(), ...(a.jobId ? { jobId: a.jobId } : {}), ...(a.detail ? { detail: a.detail } : {}) });
    alerts.length = Math.min(alerts.length, keptAlerts);
    await publish('alerts', a);
  };
  const snapshot = () => ({
    status,
    // When this was true: the operator's dashboard calls a printer whose last report is old offline.
    at: new Date().toISOString(),
    heartbeatSeconds: Math.round(o.telemetryMs / 1000),
    nozzleC,
    bedC,
    material: { type: material.type, levelPct: Math.round(material.levelPct * 10) / 10 },
    job: current?.jobId ?? null,
    progress,
    alerts,
    approveJobs: approveJobs(),
    recent,
    offers: [...held.entries()].map(([jobId, h]) => ({ jobId, offeredAt: h.offeredAt, ...(h.material ? { material: h.material } : {}), ...(h.color ? { color: h.color } : {}) })),
    config,
  });

  /** How each job ended, by job id, so a job offered again is answered rather than printed twice. */
  const ended = new Map<string, Outcome>();
  /** NFC tags this printer wrote, by serial (a virtual printer keeps them so they can be tapped). */
  const tags = new Map<string, { tag: SimulatedTag; url: string }>();
  const shadowGot = `$aws/things/${o.thing}/shadow/get/accepted`;
  const shadowNone = `$aws/things/${o.thing}/shadow/get/rejected`;
  await client.subscribeAsync([topic('jobs'), topic('tags'), topic('printability-requests'), topic('decisions'), `$aws/things/${o.thing}/shadow/update/delta`, shadowGot, shadowNone], { qos: 1 });
  // The configuration set before this start (at registration, or while the printer was off) arrives as no delta:
  // read it from the shadow, as a device does when it comes up.
  // The agent starts without it after a while (a broker under load can be slower than that); an answer that comes
  // later is still taken, and reported at once rather than at the next telemetry tick.
  let startedWithout = false;
  const initial = new Promise<void>((resolve) => {
    const onGot = (t: string, payload: Buffer) => {
      if (t !== shadowGot && t !== shadowNone) return;
      client.off('message', onGot);
      if (t === shadowGot) {
        try {
          const desired = (JSON.parse(payload.toString()) as { state?: { desired?: Json } }).state?.desired;
          if (desired) config = mergeDeep(config, desired);
        } catch {
          // An unreadable shadow leaves the defaults; the next delta brings the configuration.
        }
        if (startedWithout) void reportShadow(snapshot()).catch(() => undefined);
      }
      resolve();
    };
    client.on('message', onGot);
    setTimeout(() => {
      startedWithout = true;
      resolve();
    }, o.initialShadowWaitMs ?? 3000).unref();
  });
  await client.publishAsync(`$aws/things/${o.thing}/shadow/get`, '', { qos: 1 });
  await initial;
  await reportShadow(snapshot());
  const telemetry = setInterval(() => {
    const now = snapshot();
    void publish('telemetry', now).catch(() => undefined);
    void reportShadow(now).catch(() => undefined);
  }, o.telemetryMs);
  // A held offer keeps the order's dispatch step waiting (signed, like every report about a job).
  const holding = setInterval(() => {
    for (const jobId of held.keys()) void publish('status', { jobId, awaiting: 'operator' }).catch(() => undefined);
  }, o.holdHeartbeatMs ?? 30_000);

  client.on('message', (t, payload) => {
    let message: unknown;
    try {
      message = JSON.parse(payload.toString());
    } catch {
      log(`ignored a message on ${t} that is not JSON`);
      return;
    }
    if (t === shadowGot || t === shadowNone) return;
    if (t.endsWith('/shadow/update/delta')) {
      // The operator's desired configuration: take it, and say so.
      config = mergeDeep(config, (message as { state?: Json }).state ?? {});
      void reportShadow({ config, approveJobs: approveJobs() });
      return;
    }
    if (t === topic('decisions')) {
      decide(message as Partial<{ jobId: string; decision: string; reason: string }>);
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
    const job = message as Partial<Job> & { material?: string; color?: string };
    if (typeof job.jobId !== 'string' || typeof job.printFileUrl !== 'string' || typeof job.gcodeSha256 !== 'string') {
      void alert({ type: 'invalid-job', detail: 'a job needs jobId, printFileUrl and gcodeSha256' });
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
    if (held.has(job.jobId)) {
      // Offered again while the operator decides: a fresh link to the same print file.
      held.set(job.jobId, { ...held.get(job.jobId)!, job: job as Job });
      return;
    }
    if (approveJobs()) {
      held.set(job.jobId, { job: job as Job, offeredAt: new Date().toISOString(), ...(job.material ? { material: job.material } : {}), ...(job.color ? { color: job.color } : {}) });
      void publish('status', { jobId: job.jobId, awaiting: 'operator' }).catch(() => undefined);
      void reportShadow(snapshot()).catch(() => undefined);
      return;
    }
    void run(job as Job);
  });

  /** The operator's answer to a held offer: the printer answers the order with it, signed, as if it had decided alone. */
  function decide(m: Partial<{ jobId: string; decision: string; reason: string }>) {
    const h = typeof m.jobId === 'string' ? held.get(m.jobId) : undefined;
    if (!h || (m.decision !== 'accept' && m.decision !== 'reject')) {
      void alert({ type: 'unknown-decision', ...(typeof m.jobId === 'string' ? { jobId: m.jobId } : {}), detail: 'a decision for no held offer' });
      return;
    }
    held.delete(h.job.jobId);
    if (m.decision === 'reject') {
      const reason = typeof m.reason === 'string' && m.reason.trim() ? `the operator declined the job: ${m.reason.trim().slice(0, 200)}` : 'the operator declined the job';
      remember(h.job.jobId, 'rejected');
      void publish('status', { jobId: h.job.jobId, event: 'rejected', reason });
      void reportShadow(snapshot()).catch(() => undefined);
      return;
    }
    if (current) {
      void publish('status', { jobId: h.job.jobId, event: 'rejected', busy: true, reason: `busy with job ${current.jobId}` });
      void reportShadow(snapshot()).catch(() => undefined);
      return;
    }
    void run(h.job);
  }

  /** Writes a product's NFC tag: its key arrives sealed to this printer's device key, and only this printer can open it. */
  function writeTag(m: Partial<{ serial: string; url: string; uid: string; sealedKey: string; keySha256: string }>) {
    if (typeof m.serial !== 'string' || typeof m.url !== 'string' || typeof m.uid !== 'string' || typeof m.sealedKey !== 'string') {
      void alert({ type: 'invalid-tag-request' });
      return;
    }
    try {
      const key = openPrintFile(Buffer.from(m.sealedKey, 'base64'), { printerId: o.thing, ...o.keys.encryption }, { jobId: `tag:${m.serial}`, gcodeSha256: m.keySha256, now: new Date() });
      if (!tags.has(m.serial)) tags.set(m.serial, { tag: new SimulatedTag(key, m.uid), url: m.url });
    } catch (err) {
      void alert({ type: 'tag-not-written', serial: m.serial, detail: (err as Error).message });
    }
  }

  /** Checks a design's size against this printer's own configured build volume, and signs the answer. */
  async function answerPrintability(q: Partial<PrintabilityQuestion>) {
    if (typeof q.requestId !== 'string' || typeof q.designId !== 'string' || !Array.isArray(q.size) || q.size.length !== 3) {
      await alert({ type: 'invalid-printability-request' });
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
    let outcome: Outcome;
    try {
      // Busy from the moment the job is taken, not once its file is open: the platform matches orders on the shadow's
      // current job, and a later report left a window in which a second order picked this printer and waited 3 s.
      status = 'printing';
      nozzleC = 210;
      bedC = 60;
      await reportShadow(snapshot());
      const res = await fetch(job.printFileUrl);
      if (!res.ok) throw new Error(`the print file could not be downloaded (${res.status})`);
      const gcode = openPrintFile(new Uint8Array(await res.arrayBuffer()), { printerId: o.thing, ...o.keys.encryption }, { jobId: job.jobId, gcodeSha256: job.gcodeSha256, now: new Date() });
      await writeFile(file, gcode, { mode: 0o600 });
      let plan = plans.get(job.gcodeSha256);
      if (!plan) plans.set(job.gcodeSha256, (plan = simulateGcode(gcode.toString('utf8'), defaultProfile.limits)));
      await publish('status', { jobId: job.jobId, event: 'accepted', layers: plan.layers.length, estimatedSeconds: Math.round(plan.seconds) });
      const total = plan.seconds || 1;
      const perMm = 100 / material.spoolMm;
      const filamentPerSecond = plan.filamentMm / total;
      const progressEveryMs = o.progressEveryMs ?? 250;
      let reportedAt = performance.now();
      for (const layer of plan.layers) {
        await new Promise((r) => setTimeout(r, (layer.seconds * 1000) / o.timeScale));
        if (current.cancel) throw new Error('cancelled');
        material.levelPct = Math.max(0, material.levelPct - layer.seconds * filamentPerSecond * perMm);
        const share = layer.cumulativeSeconds / total;
        if (o.faults?.runoutAt !== undefined && share >= o.faults.runoutAt) {
          material.levelPct = 0;
          await alert({ jobId: job.jobId, type: 'filament-runout', detail: `filament ran out at layer ${layer.index + 1}`, layer: layer.index });
          throw new Error('filament ran out');
        }
        if (o.faults?.thermalAt !== undefined && share >= o.faults.thermalAt) {
          await alert({ jobId: job.jobId, type: 'thermal-runaway', detail: `nozzle at 295 °C at layer ${layer.index + 1}; heaters shut down`, layer: layer.index, nozzleC: 295 });
          throw new Error('thermal alert: heaters shut down');
        }
        progress = { jobId: job.jobId, layer: layer.index + 1, layers: plan.layers.length, percent: Math.round(share * 1000) / 10 };
        if (progress.layer < progress.layers && performance.now() - reportedAt >= progressEveryMs) {
          reportedAt = performance.now();
          await publish('progress', { ...progress, remainingSeconds: Math.round(total - layer.cumulativeSeconds) });
        }
      }
      // Which lot it printed from: the one its operator declared loaded for the job's material (and colour).
      const lot = declaredLot((config.config as { loadedMaterials?: { type?: unknown }[] } | undefined)?.loadedMaterials ?? [], job.material, job.color);
      outcome = { event: 'completed', ...(lot ? { materialLot: lot } : {}) };
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
      progress = null;
    }
    ended.set(job.jobId, outcome);
    remember(job.jobId, outcome.event);
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
      clearInterval(holding);
      if (current) current.cancel = true;
      // Said on the way out, so the dashboard need not wait for the report to go stale.
      status = 'offline';
      await reportShadow({ ...snapshot(), job: null, progress: null, offers: [] }).catch(() => undefined);
      await client.endAsync();
    },
  };
}
