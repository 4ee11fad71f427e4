// Verify endpoint: GET /01/{gtin}/21/{serial}?s=<sig> (the printed GS1 Digital Link, no NFC parameters) under load
// on loopback, against GET /health in the same run, with the same load generator. The platform runs in-process (as
// in the end-to-end tests); one real product is made for it: a design, a printer with its agent, one order followed
// to 'completed', and the product's memory on the ledger (5 steps). autocannon runs in a child process so the load
// generator does not share the platform's event loop (it does share the machine's cores).
// A small separate run of fresh NFC taps (`agent.tag(serial).tap()` URLs made in advance; each tap advances the tag's
// read counter, so it cannot be replayed) measures the SUN path: KMS unseal of the tag key, CMAC, a conditional
// DynamoDB update.
// Sizes: VERIFY_BENCH_SECONDS (per measured run, default 10), VERIFY_BENCH_CONNECTIONS (default 32),
// VERIFY_BENCH_ROUNDS (verify + health pairs, default 3; medians reported), VERIFY_BENCH_TAPS (default 1000; 0 skips), VERIFY_BENCH_TAP_CONNECTIONS (default 8).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startPrinterAgent } from '../cli/printer-agent.js';
import { generateDeviceKeys, publicKeys } from '../shared/printing/device-keys.js';
import { binaryStl, box } from '../test/support/meshes.js';
import { startTestPlatform, type TestPlatform } from '../test/support/test-platform.js';
import { answerOf, benchAddress, benchSettings, repoRoot, wholeNumber } from './lib.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

interface OrderView {
  orderId: string;
  status: string;
  tag?: { gtin: string; serial: string; url: string };
  failure?: { error: string; cause: string };
}
interface Verified {
  verdict: string;
  checks: { signature: boolean; tag: string; ledger: string };
  memory: { step: string }[];
}

export interface CannonResult {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  totalRequests: number;
  durationSeconds: number;
  /** Responses whose body said `"tag":"fresh"` / `"tag":"replayed"` (tap runs only). */
  tagFresh?: number;
  tagReplayed?: number;
  /** CPU seconds of this (the platform's) process and of DynamoDB Local's JVM during the run, in milliseconds per request. */
  cpuMsPerRequest?: { platformProcess: number; dynamoDbJvm: number };
}

// The load generator, in a child process. With `paths`, each request takes the next path of the list once (fresh NFC
// taps) and the run stops after the list.
const cannonScript = `
const autocannon = require('autocannon');
const o = JSON.parse(require('node:fs').readFileSync(process.env.CANNON_FILE, 'utf8'));
let next = 0, fresh = 0, replayed = 0;
const onResponse = (status, body) => {
  if (body.includes('"tag":"fresh"')) fresh++;
  else if (body.includes('"tag":"replayed"')) replayed++;
};
const opts = { url: o.url, connections: o.connections, pipelining: 1, timeout: 30 };
if (o.paths) Object.assign(opts, { amount: o.paths.length, requests: [{ setupRequest: (req) => ({ ...req, path: o.paths[next++ % o.paths.length] }), onResponse }] });
else opts.duration = o.durationSeconds;
autocannon(opts, (err, r) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(JSON.stringify({
    requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p90Ms: r.latency.p90, p99Ms: r.latency.p99, maxMs: r.latency.max,
    non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, totalRequests: r.requests.total, durationSeconds: r.duration,
    ...(o.paths ? { tagFresh: fresh, tagReplayed: replayed, requestsPerSecond: r.requests.total / r.duration } : {}),
  }));
});
`;

/** CPU seconds of this process, and of the DynamoDB Local JVM among its children (from /proc; 0 off Linux). */
function cpuNow(): { self: number; jvm: number } {
  const u = process.cpuUsage();
  let jvm = 0;
  try {
    for (const task of readdirSync('/proc/self/task')) {
      for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!/\(java\)/.test(stat)) continue;
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        jvm += (Number(f[11]) + Number(f[12])) / 100;
      }
    }
  } catch {
    // not Linux
  }
  return { self: (u.user + u.system) / 1e6, jvm };
}

async function cannon(dir: string, o: { url: string; connections: number; durationSeconds?: number; paths?: string[] }): Promise<CannonResult> {
  // The options go through a file: a list of tap URLs is too long for an environment variable.
  const file = join(dir, 'autocannon-options.json');
  await writeFile(file, JSON.stringify(o));
  const before = cpuNow();
  const child = spawn(process.execPath, ['-e', cannonScript], { cwd: repoRoot, env: { ...process.env, CANNON_FILE: file }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`autocannon exited with ${code}`);
  const r = JSON.parse(out) as CannonResult;
  const after = cpuNow();
  const n = Math.max(1, r.totalRequests);
  const msPer = (s: number) => Math.round(((s * 1e3) / n) * 100) / 100;
  r.cpuMsPerRequest = { platformProcess: msPer(after.self - before.self), dynamoDbJvm: msPer(after.jvm - before.jvm) };
  r.requestsPerSecond = Math.round(r.requestsPerSecond);
  return r;
}

export async function runVerifyBench() {
  const settings = benchSettings({
    VERIFY_BENCH_SECONDS: wholeNumber(10),
    VERIFY_BENCH_CONNECTIONS: wholeNumber(32),
    VERIFY_BENCH_ROUNDS: wholeNumber(3),
    VERIFY_BENCH_TAPS: wholeNumber(1000, 0),
    VERIFY_BENCH_TAP_CONNECTIONS: wholeNumber(8),
  });
  const seconds = settings.VERIFY_BENCH_SECONDS;
  const connections = settings.VERIFY_BENCH_CONNECTIONS;
  const rounds = settings.VERIFY_BENCH_ROUNDS;
  const tapCount = settings.VERIFY_BENCH_TAPS;
  const tapConnections = settings.VERIFY_BENCH_TAP_CONNECTIONS;

  const setupStart = performance.now();
  const t: TestPlatform = await startTestPlatform();
  let agent: Awaited<ReturnType<typeof startPrinterAgent>> | undefined;
  try {
    const api = async <T>(path: string, as?: string, init: RequestInit = {}, expect?: number[]) => {
      return answerOf<T>(await t.api(path, as, init), `${init.method ?? 'GET'} ${path}`, expect);
    };
    const until = async <T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, tries = 600): Promise<T> => {
      let last: T | undefined;
      for (let i = 0; i < tries; i++) {
        last = await get();
        if (ok(last)) return last;
        await sleep(100);
      }
      throw new Error(`${what}: not reached in time; last seen ${JSON.stringify(last).slice(0, 300)}`);
    };

    // A small listed design.
    const terms = { priceCents: 1500, royaltyCents: 900, editionSize: 10, allowedMaterials: ['PLA'], commercialUse: false };
    const created = await api<{ design: { designId: string }; upload: { url: string; contentType: string } }>(
      '/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Verify bench hook', terms }) }, [201, 200],
    );
    const designId = created.body.design.designId;
    const put = await fetch(created.body.upload.url, { method: 'PUT', headers: { 'content-type': created.body.upload.contentType }, body: binaryStl(box(20, 20, 6)) });
    if (!put.ok) throw new Error(`STL upload: ${put.status}`);
    await api(`/designs/${designId}/ingest`, 'designer', { method: 'POST' }, [200]);

    // One printer and its agent.
    const keys = generateDeviceKeys();
    const config = { name: 'Verify bench printer', region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'black' }] };
    const reg = await api<{ printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } }>(
      '/printers', 'printer', { method: 'POST', body: JSON.stringify({ config, terms: { feePerHourCents: 200, feePerGramCents: 5, text: 'Bench printer.' }, deviceKeys: publicKeys(keys) }) }, [201],
    );
    const { printer, credentials } = reg.body;
    agent = await startPrinterAgent({
      thing: printer.printerId,
      mqttUrl: credentials.endpoint,
      username: credentials.username,
      password: credentials.password,
      keys,
      timeScale: 1e6,
      telemetryMs: 3_600_000,
      workDir: join(t.dataDir, `agent-${printer.printerId}`),
    });
    await until('printer online', async () => (await api<{ printerId: string; online: boolean }[]>('/printers', undefined, {}, [200])).body, (l) => l.some((p) => p.printerId === printer.printerId && p.online));

    // One order, followed to 'completed'.
    const placed = await api<OrderView>(
      '/orders', 'customer',
      { method: 'POST', body: JSON.stringify({ clientOrderId: crypto.randomUUID(), designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: 'pm_card_visa', deliverTo: benchAddress }) },
      [201],
    );
    const orderId = placed.body.orderId;
    const orderOf = async () => (await api<OrderView>(`/orders/${orderId}`, 'customer', {}, [200])).body;
    const shipped = await until('order shipped', orderOf, (o) => ['shipped', 'completed', 'refunded', 'cancelled'].includes(o.status));
    if (shipped.status !== 'shipped') throw new Error(`order ended ${shipped.status}: ${JSON.stringify(shipped.failure)}`);
    await until('delivery accepted', async () => (await api(`/orders/${orderId}/delivery`, 'customer', { method: 'POST' }, [202, 409])).status, (s) => s === 202, 200);
    const done = await until('order completed', orderOf, (o) => ['completed', 'refunded', 'cancelled'].includes(o.status));
    if (done.status !== 'completed' || !done.tag) throw new Error(`order ended ${done.status} ${done.tag ? '' : 'without a tag'}`);

    // The printed Digital Link, on this gateway; wait until the ledger writer has all 5 steps.
    const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, t.platform.gatewayUrl);
    const verifyUrl = local(done.tag.url);
    const verified = await until(
      'product memory on the ledger',
      async () => (await (await fetch(verifyUrl)).json()) as Verified,
      (v) => v.memory?.length === 5,
    );
    if (verified.verdict !== 'authentic') throw new Error(`the printed link verifies as ${verified.verdict}: ${JSON.stringify(verified.checks)}`);
    const responseBytes = Buffer.byteLength(await (await fetch(verifyUrl)).text());
    const healthUrl = `${t.platform.gatewayUrl}/health`;
    const healthBytes = Buffer.byteLength(await (await fetch(healthUrl)).text());

    // Fresh NFC tap URLs, made in advance (each tap advances the tag's counter).
    const written = agent.tag(done.tag.serial);
    if (!written) throw new Error(`the printer holds no tag for ${done.tag.serial}`);
    const tapPaths = Array.from({ length: tapCount }, () => {
      const u = new URL(local(written.tap()));
      return u.pathname + u.search;
    });
    const setupSeconds = round1((performance.now() - setupStart) / 1000);

    // Warm-up (JIT, connection pools, caches), then alternating measured runs.
    await cannon(t.dataDir, { url: verifyUrl, connections: 8, durationSeconds: 3 });
    await cannon(t.dataDir, { url: healthUrl, connections: 8, durationSeconds: 2 });
    const loadBefore = loadavg()[0]!;
    const verifyRuns: CannonResult[] = [];
    const healthRuns: CannonResult[] = [];
    for (let i = 0; i < rounds; i++) {
      verifyRuns.push(await cannon(t.dataDir, { url: verifyUrl, connections, durationSeconds: seconds }));
      healthRuns.push(await cannon(t.dataDir, { url: healthUrl, connections, durationSeconds: seconds }));
    }
    const tapRun = tapPaths.length ? await cannon(t.dataDir, { url: t.platform.gatewayUrl, connections: tapConnections, paths: tapPaths }) : undefined;
    const after = (await (await fetch(verifyUrl)).json()) as Verified;

    const med = (runs: CannonResult[]) => ({
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      non2xx: runs.reduce((a, r) => a + r.non2xx + r.errors, 0),
      cpuMsPerRequestPlatformProcess: median(runs.map((r) => r.cpuMsPerRequest!.platformProcess)),
    });
    const v = med(verifyRuns);
    const h = med(healthRuns);
    return {
      target: 'verify >= 2000 req/s and p99 < 50 ms (median of the runs), no non-2xx',
      pass: v.requestsPerSecond >= 2000 && v.p99Ms < 50 && v.non2xx === 0,
      verify: { url: '/01/{gtin}/21/{serial}?s=<sig> (printed Digital Link, no NFC tap)', median: v, runs: verifyRuns, responseBytes },
      health: { url: '/health', median: h, runs: healthRuns, responseBytes: healthBytes },
      verifyOverHealthThroughput: Math.round((v.requestsPerSecond / h.requestsPerSecond) * 1000) / 1000,
      nfcTaps: tapRun
        ? { what: `${tapPaths.length} fresh tap URLs, each sent once, ${tapConnections} connections (out-of-order arrival makes an older counter 'replayed'; same work either way)`, ...tapRun }
        : 'skipped',
      verdictAfterLoad: after.verdict,
      machineLoadAverage1m: { beforeLoad: round1(loadBefore), after: round1(loadavg()[0]!) },
      setup: { connections, secondsPerRun: seconds, rounds, setupSeconds, orderId, memorySteps: verified.memory.map((m) => m.step) },
      note: 'The platform (gateway, lambdas, ledger node, local KMS/S3/...) runs in this process and DynamoDB Local in its JVM; autocannon runs in a child process. All share this machine (2 cores here), which other work may share too.',
    };
  } finally {
    await agent?.stop().catch(() => undefined);
    await t.close();
  }
}
