// `npm run demo`: the marketplace end to end on a throwaway platform (free ports, a temporary data directory). One
// designer lists a design; one operator connects three virtual printers (one of them overheats mid-print); ten
// customers order prints, one with a card that is declined. The order workflow reserves licences, charges escrow,
// slices and seals G-code for each printer, reassigns the failed print, tags, ships and, once each customer confirms
// delivery, splits the escrow. Every product is then checked the way anyone would: by tapping its NFC tag.
import { AdminAddUserToGroupCommand, AdminConfirmSignUpCommand, CognitoIdentityProviderClient, InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrinterAgent } from '../cli/printer-agent.js';
import { DynamoDbBooks } from '../shared/adapters/dynamodb-books.js';
import { generateDeviceKeys, publicKeys } from '../shared/printing/device-keys.js';
import { binaryStl, torus } from '../test/support/meshes.js';
import { demoUsers } from './demo-users.js';
import { portVars, readLocalConfig } from './local-config.js';
import { localNames } from './names.js';
import { startPlatform } from './runtime.js';
import { localCredentials, localRegion } from './servers/local-aws.js';

interface OrderView {
  orderId: string;
  status: string;
  quote: { totalCents: number };
  attempts: { printerId: string; outcome: string; reason?: string }[];
  productId?: string;
  tag?: { serial: string; url: string };
  failure?: { error: string; cause: string };
}

const say = (s: string) => console.log(`\n▶ ${s}`);
const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;
const dataDir = await mkdtemp(join(tmpdir(), 'dpm-demo-'));
// A run of a minute or two: the JVM's quick compiler alone costs it less CPU (see JvmCompilers).
const env: NodeJS.ProcessEnv = { DPM_DATA_DIR: dataDir, DPM_LOG: 'quiet', DPM_DYNAMODB_JIT: 'quick' };
for (const v of portVars) env[v] = '0';

say('Starting a throwaway platform');
const platform = await startPlatform(readLocalConfig(env));
const agents: Awaited<ReturnType<typeof startPrinterAgent>>[] = [];
let code = 1;
try {
  const idp = new CognitoIdentityProviderClient({ endpoint: platform.urls.cognito, region: localRegion, credentials: localCredentials });
  const signIn = async (username: string, password: string) =>
    (await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: platform.userPool.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }))).AuthenticationResult!.IdToken!;
  const demo = (group: string) => demoUsers.find((u) => u.group === group)!;
  const designerToken = await signIn(demo('designer').username, demo('designer').password);
  const operatorToken = await signIn(demo('printer').username, demo('printer').password);
  const customers: { name: string; token: string }[] = [{ name: demo('customer').username, token: await signIn(demo('customer').username, demo('customer').password) }];
  for (let i = 2; i <= 10; i++) {
    const username = `customer${i}@dpm.local`;
    const password = `Customer-pass-${i}`;
    await idp.send(new SignUpCommand({ ClientId: platform.userPool.clientId, Username: username, Password: password, UserAttributes: [{ Name: 'email', Value: username }] }));
    await idp.send(new AdminConfirmSignUpCommand({ UserPoolId: platform.userPool.id, Username: username }));
    await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: platform.userPool.id, Username: username, GroupName: 'customer' }));
    customers.push({ name: username, token: await signIn(username, password) });
  }
  idp.destroy();
  const api = async <T>(path: string, token: string | undefined, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
  };
  console.log(`  gateway ${platform.gatewayUrl}, ledger ${platform.urls.ledger}; 1 designer, 1 printer operator, ${customers.length} customers signed in`);

  say('The designer lists a design: upload through a presigned URL, then ingest (checked, fingerprinted, sealed)');
  const created = await api<{ design: { designId: string }; upload: { url: string; contentType: string } }>('/designs', designerToken, {
    method: 'POST',
    body: JSON.stringify({ title: 'Demo ring', description: 'A torus, 4 mm section', tags: ['ring'], terms: { priceCents: 1200, royaltyCents: 700, editionSize: 25, allowedMaterials: ['PLA', 'PETG'], commercialUse: false } }),
  });
  const designId = created.body.design.designId;
  await fetch(created.body.upload.url, { method: 'PUT', headers: { 'content-type': created.body.upload.contentType }, body: binaryStl(torus(12, 3, 48, 24)) });
  const listed = await api<{ status: string; fingerprint: string }>(`/designs/${designId}/ingest`, designerToken, { method: 'POST' });
  console.log(`  design ${designId}: ${listed.body.status}, SHA-256 ${listed.body.fingerprint.slice(0, 16)}…`);

  say('The operator connects three virtual printers; "Hot end" will overheat at 40 % of every print');
  const printers: { name: string; printerId: string }[] = [];
  for (const [name, faults] of [['Workshop A', undefined], ['Workshop B', undefined], ['Hot end', { thermalAt: 0.4 }]] as const) {
    const keys = generateDeviceKeys();
    const config = { name, region: 'Lyon', profile: { bed: { x: 220, y: 220 }, maxZ: 250 }, loadedMaterials: [{ type: 'PLA', color: 'black' }] };
    const res = await api<{ printer: { printerId: string }; credentials: { username: string; password: string; endpoint: string } }>('/printers', operatorToken, {
      method: 'POST',
      body: JSON.stringify({ config, terms: { feePerHourCents: 250, feePerGramCents: 5, text: 'Printed within two days; a failed print is redone.' }, deviceKeys: publicKeys(keys) }),
    });
    const { printer, credentials } = res.body;
    agents.push(
      await startPrinterAgent({ thing: printer.printerId, mqttUrl: credentials.endpoint, username: credentials.username, password: credentials.password, keys, timeScale: 2000, telemetryMs: 60_000, workDir: join(dataDir, printer.printerId), ...(faults ? { faults } : {}) }),
    );
    printers.push({ name, printerId: printer.printerId });
  }
  const nameOf = (printerId: string) => printers.find((p) => p.printerId === printerId)?.name ?? printerId;
  for (let i = 0; i < 100; i++) {
    const online = (await api<{ online: boolean }[]>('/printers', undefined)).body.filter((p) => p.online).length;
    if (online === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`  ${printers.map((p) => p.name).join(', ')}: online`);

  say('Ten customers order a print; one card is declined, one customer picks "Hot end"');
  const hot = printers[2]!.printerId;
  const hotTerms = (await api<{ printerId: string; terms: { version: number } }[]>('/printers', undefined)).body.find((p) => p.printerId === hot)!.terms.version;
  const placed = await Promise.all(
    customers.map(async (c, i) => {
      const body = {
        clientOrderId: crypto.randomUUID(),
        designId,
        material: 'PLA',
        acceptedLicenseVersion: 1,
        paymentMethod: i === 3 ? '4000 0000 0000 0002' : '4242 4242 4242 4242',
        // Made-up addresses: the demo customers live on one street of Lyon.
        deliverTo: { name: c.name, line1: `${i + 1} rue de la République`, postalCode: '69002', city: 'Lyon', country: 'FR' },
        ...(i === 0 ? { printerId: hot, acceptedPrinterTermsVersion: hotTerms } : {}),
      };
      const res = await api<OrderView>('/orders', c.token, { method: 'POST', body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`${c.name}'s order was refused (${res.status}): ${JSON.stringify(res.body)}`);
      return { customer: c, orderId: res.body.orderId };
    }),
  );

  const until = async (c: { token: string }, orderId: string, done: (o: OrderView) => boolean) => {
    for (let i = 0; i < 600; i++) {
      const o = (await api<OrderView>(`/orders/${orderId}`, c.token)).body;
      if (done(o)) return o;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`order ${orderId} did not move on in time`);
  };
  const ended = (o: OrderView) => ['shipped', 'completed', 'refunded', 'cancelled'].includes(o.status);
  const shipped = await Promise.all(placed.map(async (p) => ({ ...p, order: await until(p.customer, p.orderId, ended) })));

  say('Each customer who received a print confirms the delivery; the escrow is released');
  const final = await Promise.all(
    shipped.map(async (s) => {
      if (s.order.status !== 'shipped') return s;
      await api(`/orders/${s.orderId}/delivery`, s.customer.token, { method: 'POST' });
      return { ...s, order: await until(s.customer, s.orderId, (o) => o.status === 'completed') };
    }),
  );

  say('Orders');
  for (const f of final) {
    const route = f.order.attempts.map((a) => `${nameOf(a.printerId)} (${a.outcome}${a.outcome === 'failed' ? `: ${a.reason}` : ''})`).join(' → ') || '—';
    console.log(`  ${f.customer.name.padEnd(22)} ${f.order.status.padEnd(10)} ${euros(f.order.quote.totalCents).padStart(7)}  ${f.order.failure ? `${f.order.failure.error}: ${f.order.failure.cause}` : route}`);
  }

  say('The books (double entry: every order sums to zero)');
  const dynamo = new DynamoDBClient({ endpoint: platform.urls.dynamodb, region: localRegion, credentials: localCredentials });
  const books = new DynamoDbBooks(dynamo, localNames.table('main'));
  const me = (await api<{ userId: string }>('/me', designerToken)).body;
  console.log(`  escrow ${euros(await books.balance('escrow'))}, platform commission ${euros(await books.balance('platform:commission'))}, designer royalties ${euros(await books.balance(`designer:${me.userId}:royalties`))}`);
  for (const p of printers) console.log(`  ${p.name} payouts ${euros(await books.balance(`printer:${p.printerId}:payouts`))}`);
  dynamo.destroy();

  say('Anyone can tap a product’s tag: the verdict and the product’s memory, from the ledger');
  let authentic = 0;
  const completed = final.filter((f) => f.order.status === 'completed');
  const printed = async (url: string) => (await (await fetch(url.replace(/^https?:\/\/[^/]+/, platform.gatewayUrl))).json()) as { memory: unknown[] };
  for (const f of completed) {
    // The ledger writer commits each step a moment after it happens: wait for the delivery to be on the ledger.
    for (let i = 0; i < 100 && (await printed(f.order.tag!.url)).memory.length < 5; i++) await new Promise((r) => setTimeout(r, 100));
  }
  for (const f of completed) {
    const printedBy = f.order.attempts.find((a) => a.outcome === 'completed')!.printerId;
    const tag = agents[printers.findIndex((p) => p.printerId === printedBy)]!.tag(f.order.tag!.serial);
    const tapped = tag!.tap();
    const res = await fetch(tapped.replace(/^https?:\/\/[^/]+/, platform.gatewayUrl));
    const v = (await res.json()) as { verdict: string; memory: { step: string }[]; ledger?: { assetId: string } };
    if (v.verdict === 'authentic') authentic++;
    console.log(`  ${f.order.tag!.serial}: ${v.verdict}, ${v.memory.length} steps (${v.memory.map((m) => m.step).join(', ')})`);
    console.log(`    ${tapped}`);
    if (f === completed[0]) console.log(`    npx dpm verify ${v.ledger?.assetId} --ledger ${platform.urls.ledger}`);
  }
  const declined = final.filter((f) => f.order.failure?.error === 'PaymentDeclined').length;
  const reassigned = final.filter((f) => f.order.attempts.length > 1).length;
  console.log(`\n  ${completed.length} delivered and verified (${authentic} authentic), ${declined} declined card, ${reassigned} reassigned`);
  code = completed.length === customers.length - 1 && authentic === completed.length && declined === 1 && reassigned >= 1 ? 0 : 1;
} catch (err) {
  console.error(`\nThe demo failed: ${(err as Error).message}`);
} finally {
  for (const a of agents) await a.stop().catch(() => undefined);
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(code);
