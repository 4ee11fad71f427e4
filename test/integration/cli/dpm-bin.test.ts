// The `dpm` command as a user runs it (bin/dpm.js in its own process): exit codes 0 / 1 / 2 against a real ledger
// node, and a proof bundle checked offline after the node is gone.
import bs58 from 'bs58';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedgerNode } from '../../../local/ledger/node.js';
import { BigchainDbHttpLedger } from '../../../shared/adapters/bigchaindb-http-ledger.js';
import { signTransaction, unsignedCreate, unsignedTransfer } from '../../../shared/ledger/transaction.js';

const bin = fileURLToPath(new URL('../../../bin/dpm.js', import.meta.url));
const dpm = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }));
  });

describe('npx dpm', () => {
  let dir: string;
  let node: Awaited<ReturnType<typeof startLedgerNode>> | undefined;
  let url: string;
  let assetId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-bin-'));
    node = await startLedgerNode({ port: 0, dataDir: join(dir, 'ledger'), blockIntervalMs: 10 });
    url = node.url;
    const key = generateKeyPairSync('ed25519').privateKey;
    const platform = bs58.encode(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32));
    const signer = async (_o: string, d: Buffer) => sign(null, d, key);
    const ledger = new BigchainDbHttpLedger(url);
    const at = '2026-11-24T10:00:00.000Z';
    const create = await signTransaction(unsignedCreate(platform, { dpm: 'product', v: 1, productId: 'p-bin' }, { dpm: 1, step: 'product.printed', eventId: 'e1', occurredAt: at }, platform), signer);
    await ledger.commit(create);
    const shipped = await signTransaction(unsignedTransfer(create.id, { txId: create.id, owner: platform }, { dpm: 1, step: 'product.shipped', eventId: 'e2', occurredAt: at, trackingHash: 'f'.repeat(64) }, platform), signer);
    await ledger.commit(shipped);
    assetId = create.id;
  });
  afterAll(async () => {
    await node?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies an asset from the ledger (exit 0) and writes a proof that verifies offline, but not once edited (exit 1)', async () => {
    const live = await dpm(['verify', assetId, '--ledger', url]);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/1\. Printed at 2026-11-24T10:00:00.000Z \(block \d+\)/);
    expect(live.stdout).toContain('VERIFIED: 2 transactions');

    const file = join(dir, 'bundle.json');
    expect((await dpm(['proof', assetId, '--ledger', url, '--out', file])).code).toBe(0);
    await node!.close();
    node = undefined;
    const offline = await dpm(['verify', '--bundle', file, '--json']);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ verified: true, assetId, story: [{ step: 'product.printed' }, { step: 'product.shipped' }] });

    const bundle = JSON.parse(await readFile(file, 'utf8'));
    bundle.transactions[1].metadata.trackingHash = '0'.repeat(64);
    await writeFile(join(dir, 'edited.json'), JSON.stringify(bundle));
    const edited = await dpm(['verify', '--bundle', join(dir, 'edited.json')]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('NOT VERIFIED');
    expect(edited.stdout).toContain('it was altered');
  });

  it('answers a usage error with exit code 2 and the usage', async () => {
    const bad = await dpm(['verify', assetId]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ledger URL is required');
    expect(bad.stderr).toContain('Usage:');
  });
});
