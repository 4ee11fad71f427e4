// Shared pieces of the benchmarks: free ports, spawning `npm start`, load generation, and the JSON report.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..');

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export const localPortVars = ['PORT', 'DPM_PORT_DYNAMODB', 'DPM_PORT_S3', 'DPM_PORT_COGNITO', 'DPM_PORT_KMS', 'DPM_PORT_SFN', 'DPM_PORT_EVENTS', 'DPM_PORT_SQS', 'DPM_PORT_MQTT', 'DPM_PORT_MQTT_WS', 'DPM_PORT_LEDGER'];

export interface SpawnedPlatform {
  child: ChildProcess;
  gatewayUrl: string;
  /** Milliseconds from spawn to the first 200 from GET /health. */
  startupMs: number;
  stop(): Promise<number | null>;
}

/** Runs `npm start` exactly as a user would, on free ports and a fresh data directory. */
export async function spawnPlatform(dataDir: string, timeoutMs = 120_000): Promise<SpawnedPlatform> {
  const env: NodeJS.ProcessEnv = { ...process.env, DPM_DATA_DIR: dataDir, DPM_LOG: 'quiet' };
  for (const v of localPortVars) env[v] = String(await freePort());
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const gatewayUrl = `http://127.0.0.1:${env.PORT}`;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGINT');
      throw new Error(`npm start was not healthy within ${timeoutMs} ms:\n${out}`);
    }
    const ok = await fetch(`${gatewayUrl}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const startupMs = performance.now() - t0;
  return {
    child,
    gatewayUrl,
    startupMs,
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  totalRequests: number;
}

export async function load(url: string, opts: { connections: number; durationSeconds: number }): Promise<LoadResult> {
  const r = await autocannon({ url, connections: opts.connections, duration: opts.durationSeconds, pipelining: 1 });
  return {
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    totalRequests: r.requests.total,
  };
}

export async function writeReport(name: string, report: object): Promise<string> {
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ name, at: new Date().toISOString(), node: process.version, ...report }, null, 2) + '\n');
  return file;
}
