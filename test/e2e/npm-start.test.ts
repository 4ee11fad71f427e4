// `npm start` as a user runs it: one summary, a healthy platform, data that survives a restart, Ctrl-C that leaves
// no process behind, and a clear error naming a port that is already taken.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../local/demo-users.js';
import { freePortEnv, groupAlive, npmStart, type NpmStart, type PortEnv } from '../support/npm-start.js';

const localComponents = ['dynamodb', 's3', 'kms', 'cognito', 'mqtt', 'sqs', 'events', 'step-functions', 'ledger'];

/** How long the process group may take to go: the DynamoDB Local JVM alone is given 5 s, and a loaded machine is slow. */
const stopMs = 60_000;

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

async function portFree(port: number): Promise<boolean> {
  const s = net.createServer();
  const ok = await new Promise<boolean>((r) => {
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => r(true));
  });
  if (ok) await new Promise((r) => s.close(r));
  return ok;
}

function summaryValue(output: string, label: string): string {
  const line = output.split('\n').find((l) => l.includes(label));
  if (!line) throw new Error(`summary has no "${label}" line:\n${output}`);
  return line;
}

async function logIn(platform: NpmStart, username: string, password: string): Promise<string> {
  const clientId = /app client (\S+)/.exec(platform.output())?.[1];
  if (!clientId) throw new Error(`no app client in the summary:\n${platform.output()}`);
  const cognito = new CognitoIdentityProviderClient({
    endpoint: `http://127.0.0.1:${platform.env.DPM_PORT_COGNITO}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const out = await cognito.send(
    new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
  );
  cognito.destroy();
  const token = out.AuthenticationResult?.IdToken;
  if (!token) throw new Error('no IdToken');
  return token;
}

describe('npm start', () => {
  let dataDir: string;
  let env: PortEnv;
  let platform: NpmStart;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dpm-e2e-'));
    env = await freePortEnv();
    platform = npmStart(dataDir, env);
    await platform.healthy();
  });

  afterAll(async () => {
    await platform?.interrupt();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints one summary with every URL and the demo users', () => {
    const out = platform.output();
    expect(out.match(/DPM is running/g)).toHaveLength(1);
    expect(summaryValue(out, 'API gateway')).toContain(platform.gatewayUrl);
    for (const [name, port] of [
      ['dynamodb', env.DPM_PORT_DYNAMODB],
      ['s3', env.DPM_PORT_S3],
      ['kms', env.DPM_PORT_KMS],
      ['cognito', env.DPM_PORT_COGNITO],
      ['mqtt', env.DPM_PORT_MQTT],
      ['mqtt-ws', env.DPM_PORT_MQTT_WS],
      ['iot-data', env.DPM_PORT_IOT_DATA],
      ['step-functions', env.DPM_PORT_SFN],
      ['events', env.DPM_PORT_EVENTS],
      ['sqs', env.DPM_PORT_SQS],
      ['ledger', env.DPM_PORT_LEDGER],
    ] as const) {
      expect(out, name).toMatch(new RegExp(`^  ${name} +\\S+:${port}`, 'm'));
    }
    for (const u of demoUsers) expect(summaryValue(out, u.username)).toContain(u.password);
  });

  it('GET /health reports each component', async () => {
    const res = await fetch(`${platform.gatewayUrl}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; components: Record<string, { ok: boolean }> };
    expect(body.status).toBe('ok');
    for (const c of localComponents) expect(body.components[`local:${c}`], c).toMatchObject({ ok: true });
    // The handler's own probes, the ones the cloud deployment reports too.
    expect(Object.keys(body.components).filter((k) => !k.startsWith('local:')).length).toBeGreaterThan(0);
  });

  it('accepts a demo user’s Cognito token and refuses a request without one', async () => {
    const token = await logIn(platform, demoUsers[0]!.username, demoUsers[0]!.password);
    const me = await fetch(`${platform.gatewayUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ roles: [demoUsers[0]!.group] });
    expect((await fetch(`${platform.gatewayUrl}/me`)).status).toBe(401);
  });

  it('keeps data across a restart, and Ctrl-C leaves no process and no port behind', async () => {
    const user = demoUsers[1]!;
    let token = await logIn(platform, user.username, user.password);
    const put = await fetch(`${platform.gatewayUrl}/me`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Restart Survivor' }),
    });
    expect(put.status).toBe(200);

    const pgid = platform.child.pid!;
    // npm itself dies of the SIGINT, as in a terminal; what matters is that the platform shut down and nothing is left.
    await platform.interrupt();
    expect(await waitUntil(() => !groupAlive(pgid), stopMs)).toBe(true);
    expect(platform.output()).toContain('SIGINT: stopping');
    for (const port of Object.values(env)) expect(await portFree(Number(port)), `port ${port}`).toBe(true);

    platform = npmStart(dataDir, env);
    await platform.healthy();
    token = await logIn(platform, user.username, user.password);
    const me = await fetch(`${platform.gatewayUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ profile: { displayName: 'Restart Survivor' } });
  }, 300_000); // a stop, then a start that may take its whole 120 s on a loaded machine

  it('stops every child when only npm itself gets SIGTERM', async () => {
    const pgid = platform.child.pid!;
    process.kill(pgid, 'SIGTERM');
    await platform.exited;
    expect(await waitUntil(() => !groupAlive(pgid), stopMs)).toBe(true);
  });
});

describe('npm start with a port already in use', () => {
  it('exits with an error that names the port, and leaves nothing running', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dpm-e2e-port-'));
    const env = await freePortEnv();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(Number(env.DPM_PORT_KMS), '127.0.0.1', r));
    try {
      const platform = npmStart(dataDir, env);
      const code = await platform.exited;
      expect(code).not.toBe(0);
      expect(platform.output()).toMatch(new RegExp(`kms.*port ${env.DPM_PORT_KMS} is already in use`));
      expect(await waitUntil(() => !groupAlive(platform.child.pid!), stopMs)).toBe(true);
    } finally {
      await new Promise((r) => blocker.close(r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
