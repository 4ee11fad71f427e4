// Runs `npm start` exactly as a user would, on free ports and a given data directory. Shared by the e2e tests
// and the start-up benchmark, so both measure the same thing.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { portVars } from '../../local/local-config.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The first port of the kernel's ephemeral range: outgoing connections and listen(0) take their ports from there. */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}
const lowest = 10_000;
const handedOut = new Set<number>();

/**
 * A free port for a child process to bind later (and bind again after a restart). It is picked below the ephemeral
 * range: a port that listen(0) handed us was, under a busy test run, taken by some other connection before the child
 * bound it ("cognito: port … is already in use" failed CI once).
 */
export async function freePort(): Promise<number> {
  const high = Math.max(lowest + 1000, ephemeralLow());
  for (let i = 0; i < 200; i++) {
    const port = lowest + Math.floor(Math.random() * (high - lowest));
    if (handedOut.has(port)) continue;
    const s = net.createServer();
    const free = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => r(true));
    });
    if (!free) continue;
    await new Promise((r) => s.close(r));
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${lowest} and ${high}`);
}

export const localPortVars = portVars;

export type PortEnv = Record<(typeof localPortVars)[number], string>;

export async function freePortEnv(): Promise<PortEnv> {
  const env: Partial<PortEnv> = {};
  for (const v of localPortVars) env[v] = String(await freePort());
  return env as PortEnv;
}

export interface NpmStart {
  child: ChildProcess;
  gatewayUrl: string;
  env: PortEnv;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the milliseconds from spawn to the first 200 from GET /health. */
  healthy(timeoutMs?: number): Promise<number>;
  /** Ctrl-C as a terminal sends it: SIGINT to the whole process group. */
  interrupt(): Promise<number | null>;
}

export function npmStart(dataDir: string, env: PortEnv, extraEnv: NodeJS.ProcessEnv = {}): NpmStart {
  const t0 = performance.now();
  // Own process group, so a test can signal the group as a terminal would and then check it is empty.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: repoRoot,
    env: { ...process.env, DPM_DATA_DIR: dataDir, DPM_LOG: 'quiet', ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const gatewayUrl = `http://127.0.0.1:${env.PORT}`;
  return {
    child,
    gatewayUrl,
    env,
    output: () => out,
    exited,
    async healthy(timeoutMs = 120_000) {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
        if (performance.now() - t0 > timeoutMs) throw new Error(`npm start was not healthy within ${timeoutMs} ms:\n${out}`);
        const ok = await fetch(`${gatewayUrl}/health`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return performance.now() - t0;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async interrupt() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
