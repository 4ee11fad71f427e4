// A crash in the middle of a batch of orders: `npm start` is killed with SIGKILL (the whole process group, no chance
// to clean up) while orders are being charged, offered and printed, then started again on the same data. Every order
// must still finish, with one charge and one set of entries each in the books, and each product's memory on the
// ledger exactly once.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import driver from 'bigchaindb-driver';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinterAgent } from '../../cli/printer-agent.js';
import { demoUsers } from '../../local/demo-users.js';
import { localNames } from '../../local/names.js';
import { DynamoDbBooks } from '../../shared/adapters/dynamodb-books.js';
import { documentClient } from '../../shared/adapters/dynamodb-document.js';
import { verifyHistory } from '../../shared/ledger/verify-history.js';
import type { Transaction } from '../../shared/ledger/transaction.js';
import { generateDeviceKeys, publicKeys } from '../../shared/printing/device-keys.js';
import { binaryStl, box } from '../support/meshes.js';
import { freePortEnv, groupAlive, npmStart, type NpmStart, type PortEnv } from '../support/npm-start.js';
import { until } from '../support/until.js';
import { deliveryAddress } from '../support/fleet.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('orders survive a crash of the platform', () => {
  let dataDir: string;
  let env: PortEnv;
  let platform: NpmStart;
  const agents: Awaited<ReturnType<typeof startPrinterAgent>>[] = [];
  const tokens: Record<string, string> = {};

  async function signIn(p: NpmStart) {
    const clientId = /app client (\S+)/.exec(p.output())?.[1];
    if (!clientId) throw new Error(`no app client in the summary:\n${p.output()}`);
    const idp = new CognitoIdentityProviderClient({ endpoint: `http://127.0.0.1:${env.DPM_PORT_COGNITO}`, region: 'eu-west-1', credentials });
    for (const u of demoUsers) {
      const out = await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: u.username, PASSWORD: u.password } }));
      tokens[u.group] = out.AuthenticationResult!.IdToken!;
    }
    idp.destroy();
  }
  const api = (path: string, as?: string, init: RequestInit = {}) =>
    fetch(`${platform.gatewayUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}) } });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dpm-fault-'));
    env = await freePortEnv();
    platform = npmStart(dataDir, env);
    await platform.healthy();
    await signIn(platform);
  }, 180_000);

  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await platform?.interrupt();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finishes every order after a SIGKILL halfway through, without a double charge or a duplicate ledger entry', async () => {
    const terms = { priceCents: 1000, royaltyCents: 400, editionSize: 100, allowedMaterials: ['PLA'], commercialUse: false };
    const created = (await (await api('/designs', 'designer', { method: 'POST', body: JSON.stringify({ title: 'Crash test bracket', terms }) })).json()) as {
      design: { designId: string };
      upload: { url: string; contentType: string };
    };
    await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: binaryStl(box(20, 20, 8)) });
    expect((await api(`/designs/${created.design.designId}/ingest`, 'designer', { method: 'POST' })).status).toBe(200);

    for (let i = 0; i < 3; i++) {
      const keys = generateDeviceKeys();
      const config = { name: `Crash printer ${i}`, region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'grey' }] };
      const res = await api('/printers', 'printer', { method: 'POST', body: JSON.stringify({ config, terms: { feePerHourCents: 100, feePerGramCents: 2, text: 'Printed the same day, or the next.' }, deviceKeys: publicKeys(keys) }) });
      const { printer, credentials: c } = (await res.json()) as { printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } };
      // Slow enough that prints are under way when the platform dies.
      agents.push(await startPrinterAgent({ thing: printer.printerId, mqttUrl: c.endpoint, username: c.username, password: c.password, keys, timeScale: 400, telemetryMs: 60_000, workDir: join(dataDir, `agent-${i}`) }));
    }
    // Given 30 s, and said if it never happens (it went on after 10 s with the printers it had).
    await until('3 printers online', async () => (await (await api('/printers')).json()) as { online: boolean }[], (list) => list.filter((p) => p.online).length === 3);

    const orderIds: string[] = [];
    const place = async () => {
      const res = await api('/orders', 'customer', { method: 'POST', body: JSON.stringify({ clientOrderId: crypto.randomUUID(), designId: created.design.designId, material: 'PLA', acceptedLicenseVersion: 1, paymentMethod: '4242424242424242', deliverTo: deliveryAddress }) });
      expect(res.status).toBe(201);
      orderIds.push(((await res.json()) as { orderId: string }).orderId);
    };
    for (let i = 0; i < 6; i++) await place();
    const statusOf = async (id: string) => ((await (await api(`/orders/${id}`, 'customer')).json()) as { status: string }).status;
    // Kill once some orders are printing and others are still waiting for a printer.
    for (let i = 0; i < 200; i++) {
      const statuses = await Promise.all(orderIds.map(statusOf));
      if (statuses.some((s) => s === 'printing' || s === 'dispatched')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = await Promise.all(orderIds.map(statusOf));
    const t0 = Date.now();
    process.kill(-platform.child.pid!, 'SIGKILL');
    await platform.exited;
    for (let i = 0; i < 50 && groupAlive(platform.child.pid!); i++) await new Promise((r) => setTimeout(r, 100));

    platform = npmStart(dataDir, env, process.env.DPM_FAULT_DEBUG ? { DPM_LOG: 'debug' } : {});
    await platform.healthy();
    if (process.env.DPM_FAULT_DEBUG) console.log(`restarted in ${Date.now() - t0} ms`);
    await signIn(platform);
    for (let i = 0; i < 2; i++) await place();

    const wait = async (id: string, want: string[]) => {
      for (let i = 0; i < 1200; i++) {
        const s = await statusOf(id);
        if (want.includes(s)) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      const order = await (await api(`/orders/${id}`, 'customer')).text();
      throw new Error(`order ${id} stuck (statuses when killed: ${before.join(', ')}): ${order}\n${process.env.DPM_FAULT_DEBUG ? platform.output().slice(-6000) : ''}`);
    };
    for (const id of orderIds) {
      const status = await wait(id, ['shipped', 'refunded', 'cancelled']);
      if (status !== 'shipped') throw new Error(`order ${id} ended ${status}: ${await (await api(`/orders/${id}`, 'customer')).text()}`);
    }
    if (process.env.DPM_FAULT_DEBUG) for (const id of orderIds) console.log(await (await api(`/orders/${id}`, 'customer')).text());
    for (const id of orderIds) expect((await api(`/orders/${id}/delivery`, 'customer', { method: 'POST' })).status).toBe(202);
    for (const id of orderIds) expect(await wait(id, ['completed'])).toBe('completed');

    // One charge per order, and the books: one escrow and one release entry each, nothing left in escrow.
    const dynamo = new DynamoDBClient({ endpoint: `http://127.0.0.1:${env.DPM_PORT_DYNAMODB}`, region: 'eu-west-1', credentials });
    const doc = documentClient(dynamo);
    const items = (await doc.send(new ScanCommand({ TableName: localNames.table('main') }))).Items ?? [];
    const charges = items.filter((i) => String(i.pk).startsWith('PAYMENT#charge#'));
    expect(charges.map((c) => String(c.pk)).sort()).toEqual(orderIds.map((id) => `PAYMENT#charge#${id}:escrow`).sort());
    const books = new DynamoDbBooks(dynamo, localNames.table('main'));
    for (const id of orderIds) expect((await books.entries(id)).map((e) => e.step).sort(), id).toEqual(['escrow', 'release']);
    expect(await books.balance('escrow')).toBe(0);

    // Each product's memory is on the ledger once: a CREATE and three TRANSFERs, and it verifies.
    const conn = new driver.Connection(`http://127.0.0.1:${env.DPM_PORT_LEDGER}/api/v1/`);
    for (const id of orderIds) {
      const order = (await (await api(`/orders/${id}`, 'customer')).json()) as { productId: string };
      let txs: (Transaction & { id: string })[] = [];
      let assets: { id: string }[] = [];
      // The ledger writer catches up after the burst of orders: up to a minute per product (10 s was tight under load).
      for (let i = 0; i < 600; i++) {
        // Text search ORs its terms (every product id shares the 'prd' term): keep the exact matches.
        assets = ((await conn.searchAssets(order.productId)) as unknown as { id: string; data: { productId?: string } }[]).filter((a) => a.data.productId === order.productId);
        txs = assets[0] ? ((await conn.listTransactions(assets[0].id)) as unknown as (Transaction & { id: string })[]) : [];
        if (txs.length >= 4) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(assets).toHaveLength(1);
      expect(txs.map((t) => (t.metadata as { step: string }).step)).toEqual(['product.printed', 'product.tagged', 'product.shipped', 'product.delivered']);
      expect(verifyHistory(assets[0]!.id, txs).verified).toBe(true);
    }
    dynamo.destroy();
  }, 300_000);
});
