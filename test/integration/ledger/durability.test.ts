// Crash safety: a real node process killed with SIGKILL under load keeps every tx it acknowledged in commit mode;
// torn tails are cut and reported, mid-file corruption refuses to start; the CLI fails clearly on bad input.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { startLedgerNode } from '../../../local/ledger/node.js';
import { freePort } from '../../support/npm-start.js';
import { createTx, Ed25519Keypair, getTx, http, post, startTestNode, type Tx } from './ledger-fixtures.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
// `node --import tsx` rather than the tsx CLI: the CLI runs the script in a grandchild a SIGKILL would not reach.
const tsxLoader = join(repoRoot, 'node_modules/tsx/dist/loader.mjs');
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'dpm-ledger-dur-'));
  dirs.push(d);
  return d;
}

interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runCli(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(tsxLoader).href, 'local/ledger/main.ts', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, output: () => out, exited };
}

async function waitFor(child: Child, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.output())) {
    if (child.proc.exitCode !== null) throw new Error(`node exited (${child.proc.exitCode}):\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('crash safety', () => {
  it('SIGKILL under concurrent commit-mode load loses no acknowledged tx', async () => {
    const dataDir = await tempDir();
    const port = await freePort();
    const args = ['--port', String(port), '--data', dataDir, '--block-interval-ms', '5'];
    const first = runCli(args);
    await waitFor(first, /listening on/);
    const api = `http://127.0.0.1:${port}/api/v1/`;

    const owner = new Ed25519Keypair();
    const acked: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const tx = createTx(owner, { worker: w, i }, null);
        try {
          const res = await post(api, tx, 'commit');
          if (res.status === 202) acked.push(tx.id);
        } catch {
          return; // the node is gone
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 10));
    first.proc.kill('SIGKILL');
    await first.exited;
    stop = true;
    await load;
    const ackedAtKill = [...acked];

    const second = runCli(args);
    await waitFor(second, /listening on/);
    const missing: string[] = [];
    for (const id of ackedAtKill) if (!(await getTx(api, id))) missing.push(id);
    expect(missing).toEqual([]);
    // the restarted node keeps working and its blocks are consecutive
    const tx = createTx(owner, { after: 'restart' }, null);
    expect((await post(api, tx)).status).toBe(202);
    const [h] = (await http(`${api}blocks?transaction_id=${tx.id}`)).body as number[];
    for (let i = 1; i <= h!; i++) expect((await http(`${api}blocks/${i}`)).status).toBe(200);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/SIGTERM, shutting down/);
  });
});

function record(type: number, payload: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([type]), payload]);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

describe('torn tails and corruption', () => {
  async function ledgerWith(n: number): Promise<{ dataDir: string; txs: Tx[]; logFile: string }> {
    const dataDir = await tempDir();
    const t = await startTestNode({}, dataDir);
    const owner = new Ed25519Keypair();
    const txs: Tx[] = [];
    for (let i = 0; i < n; i++) {
      const tx = createTx(owner, { i }, null);
      await t.conn.postTransactionCommit(tx);
      txs.push(tx);
    }
    await t.stop();
    return { dataDir, txs, logFile: join(dataDir, 'blocks.log') };
  }

  it('a partial final record is cut off and reported; the data before it survives', async () => {
    const { dataDir, txs, logFile } = await ledgerWith(3);
    const goodSize = (await stat(logFile)).size;
    const partial = record(1, Buffer.from(JSON.stringify({ id: 'x'.repeat(64), pad: 'y'.repeat(300) }))).subarray(0, 100);
    await appendFile(logFile, partial);

    const t = await startTestNode({}, dataDir);
    expect(t.logs.join('\n')).toMatch(new RegExp(`cut a torn tail of 100 bytes at byte ${goodSize} \\(record extends past end of file\\)`));
    expect((await stat(logFile)).size).toBe(goodSize);
    for (const tx of txs) expect(await getTx(t.api, tx.id)).toEqual(tx);
    const more = createTx(new Ed25519Keypair(), { more: true }, null);
    expect((await post(t.api, more)).status).toBe(202);
    await t.stop();
  });

  it('tx records without their block record (an unfinished block) are dropped and reported', async () => {
    const { dataDir, txs, logFile } = await ledgerWith(2);
    const orphan = createTx(new Ed25519Keypair(), { orphan: true }, null);
    await appendFile(logFile, record(1, Buffer.from(JSON.stringify(orphan))));
    const t = await startTestNode({}, dataDir);
    expect(t.logs.join('\n')).toMatch(/an unfinished block\); 1 tx record\(s\) of an unfinished block were discarded/);
    expect(await getTx(t.api, orphan.id)).toBeUndefined();
    for (const tx of txs) expect(await getTx(t.api, tx.id)).toEqual(tx);
    expect(t.node.stats()).toMatchObject({ height: 2, transactions: 2 });
    await t.stop();
  });

  it('a damaged record in the middle of the log refuses to start and says how to recover', async () => {
    const { dataDir, logFile } = await ledgerWith(3);
    const bytes = await readFile(logFile);
    bytes[40] = bytes[40]! ^ 0xff; // inside the first tx record
    await writeFile(logFile, bytes);
    await expect(startLedgerNode({ port: 0, dataDir, log: () => undefined })).rejects.toMatchObject({
      name: 'LedgerCorruptError',
      message: expect.stringMatching(/record checksum mismatch at byte 8 of \d+, with more data after it; refusing to start\. Blocks 1\.\.0 \(the first 8 bytes\) are intact/),
    });
    expect((await stat(logFile)).size).toBe(bytes.length);
  });
});

describe('CLI', () => {
  it('rejects bad arguments with a usage message', async () => {
    const noData = runCli(['--port', '1234']);
    expect(await noData.exited).toBe(2);
    expect(noData.output()).toMatch(/--data DIR is required/);
    const badPort = runCli(['--port', 'abc', '--data', await tempDir()]);
    expect(await badPort.exited).toBe(2);
    expect(badPort.output()).toMatch(/--port must be an integer >= 0, got 'abc'/);
    const unknown = runCli(['--data', await tempDir(), '--colour']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toMatch(/Unknown option '--colour'/);
  });

  it('names the port when it is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const child = runCli(['--port', String(port), '--data', await tempDir()]);
      expect(await child.exited).toBe(1);
      expect(child.output()).toMatch(new RegExp(`ledger: port ${port} is already in use`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
