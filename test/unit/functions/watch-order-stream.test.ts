// The watch-order handler as AWS runs it: behind its function URL (no JWT authorizer, no path parameters, the viewer's
// token in its own header because CloudFront's SigV4 signature holds `Authorization`), streamed through a stand-in for
// the Lambda runtime's `awslambda` global. It checks the token against the pool's keys (served here by a local JWKS
// endpoint), finds the order in the raw path with or without `/api`, and answers 401 or 404 before any stream opens.
import type { Context } from 'aws-lambda';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerAuthorizationHeader } from '../../../infra/platform.js';
import { CognitoSignIns } from '../../../shared/adapters/cognito-sign-ins.js';
import { InMemoryOrderStore } from '../../support/fakes/tags.js';
import { anOrder } from '../../support/fakes/orders.js';

const clientId = 'client-1';
const orderId = `ord_${'b'.repeat(24)}`;
const at = '2026-12-01T10:00:00.000Z';

/** The runtime's shape: `HttpResponseStream.from` writes the JSON prelude and eight NUL bytes, then the body follows. */
const fakeAwsLambda = {
  streamifyResponse: <H>(handler: H) => handler,
  HttpResponseStream: {
    from(stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }) {
      stream.write(`${JSON.stringify(prelude)}${'\u0000'.repeat(8)}`);
      return stream;
    },
  },
};

type Streamed = (event: unknown, stream: Writable, context: Context) => Promise<void>;

let jwks: Server;
let issuer: string;
let sign: (claims: Record<string, unknown>, key?: CryptoKey) => Promise<string>;
let strangerKey: CryptoKey;
let handler: Streamed;
const orders = new InMemoryOrderStore();

beforeAll(async () => {
  const pool = await generateKeyPair('RS256');
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pool.publicKey)), kid: 'pool-key', alg: 'RS256', use: 'sig' };
  jwks = createServer((req, res) => {
    if (req.url !== '/pool/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/pool`;
  sign = (claims, key = pool.privateKey) =>
    new SignJWT({ iss: issuer, aud: clientId, token_use: 'id', 'cognito:groups': ['customer'], ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'pool-key' }).setIssuedAt().setExpirationTime('1h').sign(key);

  // What the function's configuration holds in AWS; the module reads it once when it loads.
  Object.assign(process.env, { USER_POOL_ISSUER: issuer, USER_POOL_CLIENT_ID: clientId, TABLE_MAIN: 'unused', AWS_REGION: 'eu-west-1' });
  (globalThis as { awslambda?: unknown }).awslambda = fakeAwsLambda;
  const { watchOrderRoute } = await import('../../../functions/orders/watch-order.js');

  const order = anOrder({ orderId, status: 'printing', attempts: [{ printerId: 'p1', jobId: `${orderId}.1`, offeredAt: at, outcome: 'accepted' }], createdAt: at, updatedAt: at });
  await orders.create(order);
  handler = watchOrderRoute({
    orders,
    printers: { listByOperator: async () => [] },
    now: () => new Date(at),
    // The print finishes while the stream waits for its next poll: the second event, then the end of the stream.
    sleep: async () => void orders.orders.set(orderId, { ...orders.orders.get(orderId)!, status: 'completed' }),
    signIns: new CognitoSignIns({ issuer, audience: [clientId] }),
  }) as unknown as Streamed;
});

afterAll(async () => {
  delete (globalThis as { awslambda?: unknown }).awslambda;
  await new Promise((r) => jwks?.close(r));
});

/** A Lambda function URL event (payload 2.0) as CloudFront's signed request produces it. */
function functionUrlEvent(rawPath: string, viewerAuthorization?: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'abc123.lambda-url.eu-west-1.on.aws',
      authorization: 'AWS4-HMAC-SHA256 Credential=ASIA.../20261201/eu-west-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
      ...(viewerAuthorization ? { [viewerAuthorizationHeader]: viewerAuthorization } : {}),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: { iam: { accessKey: 'ASIA...', accountId: '123456789012', callerId: 'AROA...:cloudfront', userArn: 'arn:aws:sts::123456789012:assumed-role/cloudfront' } },
      domainName: 'abc123.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc123',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Amazon CloudFront' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:10:00:00 +0000',
      timeEpoch: Date.parse(at),
    },
    isBase64Encoded: false,
  };
}

/** Invokes the handler as the runtime would and splits what it wrote into the prelude and the body. */
async function invoke(event: unknown) {
  const chunks: Buffer[] = [];
  const stream = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
  await handler(event, stream, { getRemainingTimeInMillis: () => 60_000 } as Context);
  const text = Buffer.concat(chunks).toString('utf8');
  const cut = text.indexOf('\u0000'.repeat(8));
  expect(cut, 'the status and headers come before the body').toBeGreaterThan(0);
  return { ...(JSON.parse(text.slice(0, cut)) as { statusCode: number; headers: Record<string, string> }), body: text.slice(cut + 8), ended: stream.writableEnded };
}

describe('watch-order behind its function URL', () => {
  it('streams the order to its customer, found in the raw path with or without /api', async () => {
    for (const rawPath of [`/api/orders/${orderId}/events`, `/orders/${orderId}/events`]) {
      orders.orders.set(orderId, { ...orders.orders.get(orderId)!, status: 'printing' });
      const res = await invoke(functionUrlEvent(rawPath, `Bearer ${await sign({ sub: 'bob' })}`));
      expect(res.statusCode, rawPath).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const events = [...res.body.matchAll(/^event: order\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { orderId: string; status: string }).status);
      expect(events).toEqual(['printing', 'completed']);
      expect(res.body.startsWith('retry: 1000\n\n')).toBe(true);
      expect(res.ended).toBe(true);
    }
  });

  it('answers 401 before any stream opens without a valid token of the pool', async () => {
    for (const auth of [undefined, 'Bearer not-a-jwt', `Bearer ${await sign({ sub: 'bob' }, strangerKey)}`, `Bearer ${await sign({ sub: 'bob', aud: 'another-client' })}`]) {
      const res = await invoke(functionUrlEvent(`/api/orders/${orderId}/events`, auth));
      expect(res.statusCode, String(auth)).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body)).toMatchObject({ error: 'Unauthenticated' });
    }
  });

  it('answers 404 to a signed-in stranger, and for a path no streaming route describes', async () => {
    const eve = `Bearer ${await sign({ sub: 'eve' })}`;
    const stranger = await invoke(functionUrlEvent(`/api/orders/${orderId}/events`, eve));
    expect(stranger.statusCode).toBe(404);
    expect(stranger.body).not.toContain('event:');
    expect((await invoke(functionUrlEvent(`/api/orders/${orderId}`, eve))).statusCode).toBe(404);
  });
});
