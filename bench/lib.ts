// Shared pieces of the benchmarks: free ports, spawning `npm start`, load generation, and the JSON report.
import autocannon from 'autocannon';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { freePortEnv, npmStart, repoRoot } from '../test/support/npm-start.js';

export { freePort, repoRoot } from '../test/support/npm-start.js';

/**
 * A benchmark's settings from its environment variables, checked once. A variable set to something its schema refuses
 * stops the run, naming the variable and why: before, a typo (`ORDERS_BENCH_JIT=quik`, `ORDERS_BENCH_COUNT=3OO`) ran
 * silently with the default and reported figures for another setup. Unset or empty variables take the default.
 */
export function benchSettings<S extends Record<string, z.ZodType>>(shape: S, env: NodeJS.ProcessEnv = process.env): z.output<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = Object.fromEntries(Object.keys(shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = z.object(shape).safeParse(input);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(input[String(i.path[0])])}: ${i.message}`);
  throw new Error(`Benchmark settings refused: ${why.join('; ')}`);
}

/** A whole number of at least `min`, `dflt` when unset. */
export const wholeNumber = (dflt: number, min = 1) => z.coerce.number().int().min(min).default(dflt);

export interface SpawnedPlatform {
  gatewayUrl: string;
  /** Milliseconds from spawn to the first 200 from GET /health. */
  startupMs: number;
  pid: number;
  stop(): Promise<number | null>;
}

/** Runs `npm start` exactly as a user would, on free ports and a fresh data directory. */
export async function spawnPlatform(dataDir: string, timeoutMs = 120_000): Promise<SpawnedPlatform> {
  const started = npmStart(dataDir, await freePortEnv());
  try {
    const startupMs = await started.healthy(timeoutMs);
    return { gatewayUrl: started.gatewayUrl, startupMs, pid: started.child.pid!, stop: () => started.interrupt() };
  } catch (err) {
    await started.interrupt();
    throw err;
  }
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

/** Where the benchmarks' parcels go (sealed on each order, like a customer's). */
export const benchAddress = { name: 'Bench Customer', line1: '1 place Bellecour', postalCode: '69002', city: 'Lyon', country: 'FR' };

/** A platform API answer as the benchmarks read it: the status and the parsed JSON body; a status outside `expect` throws. */
export async function answerOf<T>(res: Response, what: string, expect?: number[]): Promise<{ status: number; body: T }> {
  const text = await res.text();
  if (expect && !expect.includes(res.status)) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
