// The local gateway must answer bad input the way API Gateway's HTTP API does, and hand handlers a payload-2.0 event.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { tables } from '../../../infra/platform.js';
import { maxPayloadBytes, startGateway, type GatewayRoute, type LambdaHandler } from '../../../local/gateway.js';
import type { StreamingHandler } from '../../../functions/lib/stream.js';
import { provisionTables } from '../../../local/provision-tables.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';

const issuer = 'http://127.0.0.1:1/test-pool';
const clientId = 'test-client';
const tableName = `gw-${randomUUID()}`;
let jwks: Server;
let privateKey: CryptoKey;
let gateway: Awaited<ReturnType<typeof startGateway>>;
const seen: unknown[] = [];
let readFirst: () => void = () => undefined;
const firstRead = new Promise<void>((r) => (readFirst = r));
let streamAbortedAtEnd: boolean | undefined;
const log = vi.fn();

async function token(groups: string[], sub = randomUUID(), aud = clientId) {
  return new SignJWT({ 'cognito:groups': groups, 'cognito:username': `u-${sub.slice(0, 4)}`, token_use: 'id', email: 'x@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(aud)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));

  process.env.TABLE_MAIN = tableName;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoDbUrl');
  process.env.AWS_ACCESS_KEY_ID = localCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = localCredentials.secretAccessKey;
  process.env.AWS_REGION = localRegion;
  const client = new DynamoDBClient({ endpoint: inject('dynamoDbUrl'), region: localRegion, credentials: localCredentials });
  await provisionTables(client, { main: tables.main }, () => tableName);

  const me = (await import('../../../functions/platform/get-me.js')).handler as unknown as LambdaHandler;
  const updateMe = (await import('../../../functions/platform/update-my-profile.js')).handler as unknown as LambdaHandler;
  const echo: LambdaHandler = async (event) => {
    seen.push(event);
    return { ok: true };
  };
  const crash: LambdaHandler = async () => {
    throw new Error('boom: secret internals');
  };
  // Writes a first event, then waits for the test to have read it before the second: the first must not be held back.
  const streamer: StreamingHandler = async (_event, sink) => {
    sink.open(200, { 'content-type': 'text/event-stream' });
    sink.write('data: first\n\n');
    await firstRead;
    sink.write('data: second\n\n');
    await new Promise((r) => setTimeout(r, 50));
    streamAbortedAtEnd = sink.signal.aborted;
    sink.end();
  };
  const route = (path: string, method: GatewayRoute['method'], invoke: LambdaHandler, auth: GatewayRoute['auth']): GatewayRoute => ({
    path,
    method,
    invoke,
    auth,
    functionKey: 'test',
    timeoutSeconds: 5,
  });
  gateway = await startGateway({
    port: 0,
    routes: [
      route('/me', 'GET', me, { kind: 'groups', groups: ['designer', 'customer'] }),
      route('/me', 'PUT', updateMe, { kind: 'groups', groups: ['designer', 'customer'] }),
      route('/echo/{id}', 'POST', echo, { kind: 'public' }),
      route('/crash', 'GET', crash, { kind: 'public' }),
      { ...route('/stream', 'GET', echo, { kind: 'public' }), stream: streamer },
    ],
    authorizer: { issuer, jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, audience: [clientId] },
    log,
  });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((r) => jwks?.close(r));
});

const call = (path: string, init?: RequestInit) => fetch(`${gateway.url}${path}`, init);

describe('local gateway', () => {
  it('answers 404 for an unknown route', async () => {
    const res = await call('/nowhere');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
    expect((await call('/me', { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 401 without a token, with a bad token, or with a token for another audience', async () => {
    expect((await call('/me')).status).toBe(401);
    expect((await call('/me', { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);
    const foreign = await token(['designer'], randomUUID(), 'another-client');
    const res = await call('/me', { headers: { authorization: `Bearer ${foreign}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });

  it('answers 403 for a user outside the route’s groups', async () => {
    // The handler authorizes against the platform description, where /me is for every group: a user in none is refused.
    const res = await call('/me', { headers: { authorization: `Bearer ${await token([])}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'Forbidden' });
  });

  it('passes verified claims to the handler, flattened as API Gateway does', async () => {
    const sub = randomUUID();
    const res = await call('/me', { headers: { authorization: `Bearer ${await token(['designer', 'customer'], sub)}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ userId: sub, roles: ['designer', 'customer'], email: 'x@example.com', profile: null });
  });

  it('answers 400 with a clear message for a body that is not JSON', async () => {
    const auth = { authorization: `Bearer ${await token(['customer'])}`, 'content-type': 'application/json' };
    const res = await call('/me', { method: 'PUT', headers: auth, body: '{"displayName": ' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('InvalidInput');
    expect(body.message).toMatch(/not valid JSON/);
    const unknownKey = await call('/me', { method: 'PUT', headers: auth, body: JSON.stringify({ displayName: 'A', admin: true }) });
    expect(unknownKey.status).toBe(400);
  });

  it('keeps one user’s profile apart from another’s', async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const put = await call('/me', {
      method: 'PUT',
      headers: { authorization: `Bearer ${await token(['customer'], alice)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Alice' }),
    });
    expect(put.status).toBe(200);
    const bobView = (await (await call('/me', { headers: { authorization: `Bearer ${await token(['customer'], bob)}` } })).json()) as { profile: unknown };
    expect(bobView.profile).toBeNull();
    const aliceView = (await (await call('/me', { headers: { authorization: `Bearer ${await token(['customer'], alice)}` } })).json()) as { profile: { displayName: string } };
    expect(aliceView.profile.displayName).toBe('Alice');
  });

  it('answers 413 for a body over the HTTP API limit', async () => {
    const res = await call('/echo/1', { method: 'POST', body: 'x'.repeat(maxPayloadBytes + 1) });
    expect(res.status).toBe(413);
  });

  it('builds a payload-2.0 event', async () => {
    const res = await call('/echo/a%20b?x=1&x=2&y=3', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    const event = seen.at(-1) as Record<string, unknown> & { requestContext: Record<string, unknown> };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo/{id}',
      rawPath: '/echo/a%20b',
      rawQueryString: 'x=1&x=2&y=3',
      pathParameters: { id: 'a b' },
      queryStringParameters: { x: '1,2', y: '3' },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
    expect(event.requestContext).toMatchObject({ stage: '$default', routeKey: 'POST /echo/{id}', http: { method: 'POST', path: '/echo/a%20b' } });
  });

  it('turns a handler crash into a generic 500 and logs the error', async () => {
    const res = await call('/crash');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/secret internals/);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ level: 'error', error: expect.stringMatching(/secret internals/) }));
  });
});

describe('a response-streaming route', () => {
  it('sends each write as it is made, before the handler returns', async () => {
    const res = await fetch(`${gateway.url}/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('first')) text += (await reader.read()).value ?? '';
    // The handler is still waiting for this: the first event arrived while it ran.
    expect(text).not.toContain('second');
    readFirst();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    expect(text).toBe('data: first\n\ndata: second\n\n');
    expect(streamAbortedAtEnd).toBe(false);
  });
});
