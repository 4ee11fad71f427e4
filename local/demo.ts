// `npm run demo`: what works today, on a throwaway platform (free ports, a temporary data directory): a designer
// uploads an STL through a presigned URL, the design is checked, sealed and registered, the registration reaches the
// ledger through the bus, the FIFO queue and the ledger writer, and `dpm verify` checks it from the ledger alone.
// Orders, printing and tagging (and with them a product's full memory) arrive with the orders issue.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as dpm } from '../cli/main.js';
import { binaryStl, torus } from '../test/support/meshes.js';
import { demoUsers } from './demo-users.js';
import { portVars, readLocalConfig } from './local-config.js';
import { startPlatform } from './runtime.js';
import { localCredentials, localRegion } from './servers/local-aws.js';

const say = (s: string) => console.log(`\n▶ ${s}`);
const dataDir = await mkdtemp(join(tmpdir(), 'dpm-demo-'));
const env: NodeJS.ProcessEnv = { DPM_DATA_DIR: dataDir, DPM_LOG: 'quiet' };
for (const v of portVars) env[v] = '0';

say('Starting a throwaway platform');
const platform = await startPlatform(readLocalConfig(env));
let code = 1;
try {
  const designer = demoUsers.find((u) => u.group === 'designer')!;
  const idp = new CognitoIdentityProviderClient({ endpoint: platform.urls.cognito, region: localRegion, credentials: localCredentials });
  const auth = await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: platform.userPool.clientId, AuthParameters: { USERNAME: designer.username, PASSWORD: designer.password } }));
  idp.destroy();
  const headers = { authorization: `Bearer ${auth.AuthenticationResult!.IdToken}`, 'content-type': 'application/json' };
  console.log(`  gateway ${platform.gatewayUrl}, ledger ${platform.urls.ledger}; signed in as ${designer.username}`);

  say('The designer starts a design and sets its terms');
  const created = (await (
    await fetch(`${platform.gatewayUrl}/designs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Demo ring', description: 'A torus, 1 mm wall', tags: ['ring'], terms: { priceCents: 1200, royaltyCents: 400, editionSize: 25, allowedMaterials: ['PLA', 'PETG'], commercialUse: false } }),
    })
  ).json()) as { design: { designId: string }; upload: { url: string; contentType: string } };
  console.log(`  design ${created.design.designId}`);

  say('The browser uploads the STL straight to storage with the presigned URL');
  const stl = binaryStl(torus(20, 4, 96, 48));
  await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body: stl });
  console.log(`  ${stl.length} bytes uploaded to quarantine`);

  say('Ingest: parse, check printability, fingerprint, seal under its own data key, register');
  const listed = (await (await fetch(`${platform.gatewayUrl}/designs/${created.design.designId}/ingest`, { method: 'POST', headers })).json()) as {
    status: string;
    fingerprint: string;
    volumeMm3: number;
    owner: { report: { topology: { watertight: boolean }; solid: { genus?: number } } };
  };
  console.log(`  ${listed.status}; watertight ${listed.owner.report.topology.watertight}, genus ${listed.owner.report.solid.genus}, volume ${listed.volumeMm3.toFixed(0)} mm³`);
  console.log(`  SHA-256 fingerprint ${listed.fingerprint}`);

  say('Waiting for the registration to reach the ledger (bus → rule → FIFO queue → ledger writer)');
  let assetId: string | undefined;
  for (let i = 0; i < 100 && !assetId; i++) {
    const found = (await (await fetch(`${platform.urls.ledger}/api/v1/assets?search=${created.design.designId}`)).json()) as { id: string }[];
    assetId = found[0]?.id;
    if (!assetId) await new Promise((r) => setTimeout(r, 100));
  }
  if (!assetId) throw new Error('The design did not reach the ledger within 10 s');
  console.log(`  ledger asset ${assetId}`);

  say(`npx dpm verify ${assetId} --ledger ${platform.urls.ledger}`);
  code = await dpm(['verify', assetId, '--ledger', platform.urls.ledger!]);
} catch (err) {
  console.error(`\nThe demo failed: ${(err as Error).message}`);
} finally {
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(code);
