// Ledger node benchmark: committed tx/s (CREATE and TRANSFER) with concurrent keep-alive clients against a node in its
// own process, commit latency, the Ed25519 verify ceiling, RSS and start-up time with many txs stored, search latency.
// Sizes can be scaled with LEDGER_BENCH_TXS (load phase) and LEDGER_BENCH_STORED (stored-ledger phase).
import bs58 from 'bs58';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlockLog } from '../local/ledger/block-log.js';
import { conditionUriFromDetails } from '../local/ledger/conditions.js';
import { serialize, sha3, sha3Hex } from '../local/ledger/serialize.js';
import { benchSettings, freePort, repoRoot, wholeNumber } from './lib.js';
import { ledgerNodeEnv, ledgerNodeFlags } from '../local/ledger/process-options.js';

interface Signer {
  pk: string;
  raw: Buffer;
  key: KeyObject;
  uri: string;
}

function signer(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const pk = bs58.encode(raw);
  return { pk, raw, key: privateKey, uri: conditionUriFromDetails({ type: 'ed25519-sha-256', public_key: pk }) };
}

function fulfillment(s: Signer, sig: Buffer): string {
  return Buffer.concat([Buffer.from([0xa4, 0x64, 0x80, 0x20]), s.raw, Buffer.from([0x81, 0x40]), sig]).toString('base64url');
}

type Tx = Record<string, unknown> & { id: string | null; inputs: { fulfillment: string | null; fulfills: unknown; owners_before: string[] }[] };

function output(owner: Signer, amount = '1') {
  return { amount, condition: { details: { type: 'ed25519-sha-256', public_key: owner.pk }, uri: owner.uri }, public_keys: [owner.pk] };
}

/** Signs the way the driver does: sha3 of the canonical form (+ spent tx id + index), then the id over the result. */
function finish(tx: Tx, by: Signer, spent?: { id: string; index: number }, fakeSignature = false): Tx {
  const base = serialize(tx);
  const digest = sha3(spent ? base + spent.id + String(spent.index) : base);
  tx.inputs[0]!.fulfillment = fulfillment(by, fakeSignature ? randomBytes(64) : sign(null, digest, by.key));
  tx.id = sha3Hex(serialize(tx));
  return tx;
}

const VOCAB = Array.from({ length: 3000 }, (_, i) => `${['pri', 'noz', 'fil', 'ext', 'bed', 'gan', 'cal', 'mot'][i % 8]}${i.toString(36)}x`);
const MATERIALS = ['pla', 'abs', 'petg', 'nylon', 'tpu', 'resin', 'carbon', 'steel', 'titanium', 'aluminium'];

function assetData(i: number) {
  const w = (k: number) => VOCAB[(i * 7919 + k * 104729) % VOCAB.length]!;
  return { type: 'printed-part', name: `${w(1)} ${w(2)} ${w(3)}`, material: MATERIALS[i % MATERIALS.length], serial: `SN-${i.toString(36)}`, batch: i % 1000 };
}

function makeCreate(owner: Signer, i: number, fake = false): Tx {
  const tx: Tx = {
    asset: { data: assetData(i) },
    id: null,
    inputs: [{ fulfillment: null, fulfills: null, owners_before: [owner.pk] }],
    metadata: { printedAt: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, job: `job ${i}` },
    operation: 'CREATE',
    outputs: [output(owner)],
    version: '2.0',
  };
  return finish(tx, owner, undefined, fake);
}

function makeTransfer(create: Tx, owner: Signer, to: Signer): Tx {
  const tx: Tx = {
    asset: { id: create.id },
    id: null,
    inputs: [{ fulfillment: null, fulfills: { output_index: 0, transaction_id: create.id }, owners_before: [owner.pk] }],
    metadata: { handover: 'customer' },
    operation: 'TRANSFER',
    outputs: [output(to)],
    version: '2.0',
  };
  return finish(tx, owner, { id: create.id!, index: 0 });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface NodeProc {
  child: ChildProcess;
  url: string;
  startMs: number;
  stop(): Promise<void>;
}

async function startNodeProcess(dataDir: string, blockIntervalMs: number): Promise<NodeProc> {
  const port = await freePort();
  const loader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...ledgerNodeFlags, '--import', loader, 'local/ledger/main.ts', '--port', String(port), '--data', dataDir, '--block-interval-ms', String(blockIntervalMs), '--max-body-bytes', '65536'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...ledgerNodeEnv } },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  while (!out.includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`ledger exited: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    startMs: performance.now() - t0,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function request(agent: http.Agent, url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(url: string, bodies: string[], clients: number, mode: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const s = performance.now();
        const res = await request(agent, `${url}/api/v1/transactions?mode=${mode}`, 'POST', body);
        latencies.push(performance.now() - s);
        if (res.status !== 202) failures++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { txs: bodies.length, failures, seconds: round(seconds, 2), txPerSec: round((bodies.length - failures) / seconds, 0), latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) } };
}

function verifyCeiling() {
  const s = signer();
  const pub = generateKeyPairSync('ed25519').publicKey;
  void pub;
  const publicKey = (() => {
    const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), s.raw]);
    return { key: der, format: 'der' as const, type: 'spki' as const };
  })();
  const { createPublicKey } = { createPublicKey: (o: typeof publicKey) => import('node:crypto').then((c) => c.createPublicKey(o)) };
  return createPublicKey(publicKey).then((key) => {
    const msgs = Array.from({ length: 256 }, () => randomBytes(32));
    const sigs = msgs.map((m) => sign(null, m, s.key));
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      for (let i = 0; i < msgs.length; i++) if (verify(null, msgs[i]!, key, sigs[i]!)) n++;
    }
    return round(n / ((performance.now() - t0) / 1000), 0);
  });
}

async function throughputPhase(clients: number, txCount: number, blockIntervalMs: number) {
  const dir = await mkdtemp(join(tmpdir(), 'dpm-bench-ledger-'));
  const node = await startNodeProcess(dir, blockIntervalMs);
  try {
    const owners = Array.from({ length: 64 }, signer);
    const buyers = Array.from({ length: 64 }, signer);
    const creates = Array.from({ length: txCount }, (_, i) => makeCreate(owners[i % owners.length]!, i));
    const transfers = creates.map((c, i) => makeTransfer(c, owners[i % owners.length]!, buyers[i % buyers.length]!));
    const create = await load(node.url, creates.map((t) => JSON.stringify(t)), clients, 'commit');
    const transfer = await load(node.url, transfers.map((t) => JSON.stringify(t)), clients, 'commit');
    return { clients, blockIntervalMs, create, transfer, rssAfterBytes: rssOf(node.child.pid!) };
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a large ledger straight into a block log (signatures are well-formed but not checked on replay). */
export async function writeStored(dir: string, stored: number): Promise<number> {
  const { log } = await BlockLog.open(join(dir, 'blocks.log'), () => undefined);
  const owners = Array.from({ length: 1000 }, signer);
  const perBlock = 1000;
  for (let h = 1; (h - 1) * perBlock < stored; h++) {
    const txs: string[] = [];
    for (let i = (h - 1) * perBlock; i < Math.min(stored, h * perBlock); i++) txs.push(JSON.stringify(makeCreate(owners[i % owners.length]!, i, true)));
    await log.appendBlock(h, txs);
  }
  const bytes = log.bytes;
  await log.close();
  return bytes;
}

async function storedPhase(stored: number) {
  const dir = await mkdtemp(join(tmpdir(), 'dpm-bench-ledger-big-'));
  try {
    const t0 = performance.now();
    const logBytes = await writeStored(dir, stored);
    const writeSeconds = (performance.now() - t0) / 1000;

    const node = await startNodeProcess(dir, 100);
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      // warm up, then measure single-client search latency
      const queries = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `${VOCAB[(i * 31) % VOCAB.length]} ${VOCAB[(i * 17) % VOCAB.length]}` : VOCAB[(i * 13) % VOCAB.length]!));
      for (const q of queries.slice(0, 20)) await request(agent, `${node.url}/api/v1/assets?search=${encodeURIComponent(q)}&limit=10`, 'GET');
      const lat: number[] = [];
      let hits = 0;
      for (const q of queries) {
        const s = performance.now();
        const res = await request(agent, `${node.url}/api/v1/assets?search=${encodeURIComponent(q)}&limit=10`, 'GET');
        lat.push(performance.now() - s);
        hits += (JSON.parse(res.text) as unknown[]).length;
      }
      const metaLat: number[] = [];
      for (const q of queries.slice(0, 100)) {
        const s = performance.now();
        await request(agent, `${node.url}/api/v1/metadata?search=${encodeURIComponent(`job ${q}`)}&limit=10`, 'GET');
        metaLat.push(performance.now() - s);
      }
      agent.destroy();
      lat.sort((a, b) => a - b);
      metaLat.sort((a, b) => a - b);
      return {
        stored,
        logBytes,
        writeSeconds: round(writeSeconds),
        startMs: round(node.startMs, 0),
        rssBytes: rssOf(node.child.pid!),
        rssMiB: round(rssOf(node.child.pid!) / 2 ** 20, 0),
        assetSearchMs: { p50: round(percentile(lat, 50), 2), p99: round(percentile(lat, 99), 2), avgHits: round(hits / queries.length) },
        metadataSearchCommonTermMs: { p50: round(percentile(metaLat, 50), 2), p99: round(percentile(metaLat, 99), 2) },
      };
    } finally {
      await node.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runLedgerBench(): Promise<object> {
  const { LEDGER_BENCH_TXS: txCount, LEDGER_BENCH_STORED: stored } = benchSettings({ LEDGER_BENCH_TXS: wholeNumber(10_000), LEDGER_BENCH_STORED: wholeNumber(1_000_000) });
  return {
    ed25519VerifiesPerSecOneCore: await verifyCeiling(),
    throughput: [await throughputPhase(32, txCount, 50), await throughputPhase(128, txCount, 100)],
    storedLedger: stored > 0 ? await storedPhase(stored) : 'skipped',
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runLedgerBench(), null, 2));
}
