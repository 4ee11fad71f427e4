// The local stand-in for API Gateway (HTTP API, payload format 2.0): it routes by the platform description,
// verifies Cognito JWTs as the JWT authorizer would, and invokes the same handler modules Lambda runs.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createRemoteJWKSet, type JWTPayload } from 'jose';
import { verifyCognitoToken } from '../shared/adapters/cognito-sign-ins.js';
import { bearerToken } from '../shared/platform/sign-ins.js';
import { closeServer, listen, type LocalServer } from './server.js';
import type { RouteSpec } from '../infra/platform.js';
import { apiPath, type webSite } from './web-site.js';
import type { ResponseSink, StreamingHandler } from '../functions/lib/stream.js';

/** API Gateway HTTP API refuses payloads above 10 MB with 413. */
export const maxPayloadBytes = 10 * 1024 * 1024;

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface GatewayRoute extends RouteSpec {
  functionKey: string;
  invoke: LambdaHandler;
  timeoutSeconds: number;
  /** A response-streaming handler (`responseStreaming` in the description): written to the client as it writes. */
  stream?: StreamingHandler;
}

export interface JwtAuthorizerConfig {
  issuer: string;
  jwksUrl: string;
  /** App client ids accepted as `aud` (id tokens) or `client_id` (access tokens). */
  audience: string[];
}

export interface GatewayOptions {
  port?: number;
  host?: string;
  routes: readonly GatewayRoute[];
  authorizer: JwtAuthorizerConfig;
  /** Extra answers the gateway itself gives, e.g. the platform's /health augmented with the local components. */
  decorate?: (routeKey: string, result: APIGatewayProxyStructuredResultV2) => Promise<APIGatewayProxyStructuredResultV2>;
  log?: (entry: Record<string, unknown>) => void;
  /** The web app, served beside the API as the CloudFront distribution serves it (see web-site.ts). */
  site?: ReturnType<typeof webSite>;
}

interface CompiledRoute {
  route: GatewayRoute;
  routeKey: string;
  regex: RegExp;
  params: string[];
}

function compile(route: GatewayRoute): CompiledRoute {
  const params: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      const greedy = /^\{(\w+)\+\}$/.exec(seg);
      if (greedy) {
        params.push(greedy[1]!);
        return '(.+)';
      }
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        params.push(m[1]!);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, routeKey: `${route.method} ${route.path}`, regex: new RegExp(`^${pattern}/?$`), params };
}

/** Mirrors API Gateway: an array claim reaches the Lambda flattened to `[a b]`. */
function flattenClaims(payload: JWTPayload): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (Array.isArray(v)) out[k] = `[${v.join(' ')}]`;
    else if (v !== null && typeof v === 'object') out[k] = JSON.stringify(v);
    else if (v !== undefined) out[k] = v as string | number | boolean;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const noBody = Buffer.alloc(0);

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  // Without a length or chunked encoding a request has no body; waiting for 'end' would cost an event-loop turn.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(noBody);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxPayloadBytes) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxPayloadBytes) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request target as path and query, without the cost of a WHATWG URL per request. */
function parseTarget(target: string): { pathname: string; search: string; searchParams: URLSearchParams | undefined } {
  const q = target.indexOf('?');
  if (q < 0) return { pathname: target, search: '', searchParams: undefined };
  const search = target.slice(q);
  return { pathname: target.slice(0, q), search, searchParams: new URLSearchParams(search) };
}

/** `new Date(ms).toISOString()`, formatted once per millisecond: under load many requests share one. */
let isoAt = -1;
let isoText = '';
function isoTime(ms: number): string {
  if (ms !== isoAt) {
    isoAt = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

type RouteMatch = { c: CompiledRoute; params: Record<string, string> };

/** The first route, in description order, that serves this method and path (API Gateway picks the same one). */
function scan(compiled: readonly CompiledRoute[], method: string, pathname: string): RouteMatch | undefined {
  for (const c of compiled) {
    if (c.route.method !== method) continue;
    const m = c.regex.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    c.params.forEach((p, i) => (params[p] = decodeURIComponent(m[i + 1]!)));
    return { c, params };
  }
  return undefined;
}

/**
 * The scan's answer for every literal path of the description (with and without a trailing slash), worked out
 * once: the requests polled hardest (GET /health) then cost one map lookup. Any other path is scanned as before.
 */
function staticMatches(compiled: readonly CompiledRoute[]): Map<string, RouteMatch> {
  const out = new Map<string, RouteMatch>();
  for (const c of compiled) {
    if (c.params.length) continue;
    for (const path of [c.route.path, `${c.route.path}/`]) {
      const key = `${c.route.method} ${path}`;
      if (out.has(key)) continue;
      try {
        const found = scan(compiled, c.route.method, path);
        if (found) out.set(key, found);
      } catch {
        // A path the scan cannot decode stays with the scan, which fails the same way per request.
      }
    }
  }
  return out;
}

const textTypes = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/;

export async function startGateway(opts: GatewayOptions): Promise<LocalServer & { routeKeys(): string[] }> {
  const host = opts.host ?? '127.0.0.1';
  const compiled = opts.routes.map(compile);
  const literal = staticMatches(compiled);
  const jwks = createRemoteJWKSet(new URL(opts.authorizer.jwksUrl));
  const log = opts.log ?? (() => undefined);
  const logRequests = opts.log !== undefined;

  // Public routes get the Authorization header untouched, as from API Gateway: a function that takes an optional
  // sign-in checks it itself, with the same verifyCognitoToken.
  async function verify(header: string | undefined): Promise<JWTPayload | undefined> {
    const token = bearerToken(header);
    return token === undefined ? undefined : verifyCognitoToken(token, jwks, { issuer: opts.authorizer.issuer, audience: opts.authorizer.audience });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = parseTarget(req.url ?? '/');
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    const cors = { 'access-control-allow-origin': '*', 'apigw-requestid': requestId };

    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type,idempotency-key',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }

    const underApi = apiPath(url.pathname);
    if (underApi !== undefined) url.pathname = underApi;
    else if (opts.site && (await opts.site.serve(req, res, url.pathname))) return;

    const known = literal.get(`${method} ${url.pathname}`);
    // A literal path's parameters (only when an earlier parametrised route wins it) are copied: handlers own them.
    const match = known ? { c: known.c, params: { ...known.params } } : scan(compiled, method, url.pathname);
    if (!match) return send(res, 404, { message: 'Not Found' }, cors);

    // No event-loop turn for the body of a request that has none.
    const body = req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined ? noBody : await readBody(req);
    if (body === 'too-large') return send(res, 413, { message: 'Request Entity Too Large' }, cors);

    let claims: JWTPayload | undefined;
    if (match.c.route.auth.kind !== 'public') {
      claims = await verify(req.headers.authorization);
      if (!claims) return send(res, 401, { message: 'Unauthorized' }, { ...cors, 'www-authenticate': 'Bearer' });
    }

    const headers: Record<string, string> = {};
    const incoming = req.headers;
    for (const k in incoming) {
      const v = incoming[k];
      if (v !== undefined && k !== 'cookie') headers[k] = Array.isArray(v) ? v.join(',') : v;
    }
    let query: Record<string, string> | undefined;
    if (url.searchParams) {
      const q: Record<string, string> = {};
      for (const [k, v] of url.searchParams) q[k] = q[k] === undefined ? v : `${q[k]},${v}`;
      if (Object.keys(q).length) query = q;
    }
    const isText = body.length === 0 || textTypes.test(headers['content-type'] ?? 'application/json');
    const now = Date.now();
    const event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } = {
      version: '2.0',
      routeKey: match.c.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      cookies: req.headers.cookie?.split(/;\s*/),
      headers,
      queryStringParameters: query,
      pathParameters: Object.keys(match.params).length ? match.params : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: req.headers.host ?? host,
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: req.headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: match.c.routeKey,
        stage: '$default',
        time: isoTime(now),
        timeEpoch: now,
      },
      body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
      isBase64Encoded: body.length > 0 && !isText,
    };
    // Set after the fact rather than spread in: the key order is the same, the literal stays cheap to build.
    if (claims) event.requestContext.authorizer = { jwt: { claims: flattenClaims(claims), scopes: null } };

    const timeoutMs = match.c.route.timeoutSeconds * 1000;
    const context = lambdaContext(match.c.route.functionKey, requestId, started + timeoutMs);
    if (match.c.route.stream) return streamTo(res, match.c.route.stream, event, context, cors, (error) => log({ level: 'error', msg: 'handler failed', routeKey: match.c.routeKey, requestId, error }));
    let result: APIGatewayProxyStructuredResultV2;
    try {
      const out = await withTimeout(match.c.route.invoke(event, context), timeoutMs);
      result = toStructured(out);
    } catch (err) {
      // API Gateway hides the Lambda's failure behind a generic 500 (503 on timeout); so do we, and log it.
      log({ level: 'error', msg: 'handler failed', routeKey: match.c.routeKey, requestId, error: String((err as Error)?.stack ?? err) });
      const timedOut = err instanceof HandlerTimeout;
      return send(res, timedOut ? 503 : 500, { message: timedOut ? 'Service Unavailable' : 'Internal Server Error' }, cors);
    }
    if (opts.decorate) result = await opts.decorate(match.c.routeKey, result);
    const outHeaders: Record<string, string> = { 'access-control-allow-origin': '*', 'apigw-requestid': requestId };
    const resultHeaders = result.headers;
    if (resultHeaders) for (const [k, v] of Object.entries(resultHeaders)) outHeaders[k.toLowerCase()] = String(v);
    // A string body goes out in one write with the headers; a Buffer would take a second one.
    const payload = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
    outHeaders['content-length'] = String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
    res.writeHead(result.statusCode ?? 200, outHeaders);
    res.end(payload);
    if (logRequests) log({ level: 'info', msg: 'request', routeKey: match.c.routeKey, status: result.statusCode, ms: Date.now() - started });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log({ level: 'error', msg: 'gateway failure', error: String(err) });
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  const port = await listen(server, opts.port ?? 0, host, 'gateway');
  return {
    name: 'gateway',
    url: `http://${host}:${port}`,
    port,
    async health() {
      return { ok: true, detail: `${compiled.length} routes` };
    },
    async close() {
      await closeServer(server);
    },
    routeKeys: () => compiled.map((c) => c.routeKey),
  };
}

/** Lambda response streaming, locally: each write goes out as it is made; the handler hears when the client leaves. */
async function streamTo(res: ServerResponse, handler: StreamingHandler, event: APIGatewayProxyEventV2, context: Context, cors: Record<string, string>, fail: (error: string) => void): Promise<void> {
  const left = new AbortController();
  res.on('close', () => left.abort());
  const sink: ResponseSink = {
    open(status, headers) {
      res.writeHead(status, { ...cors, ...headers });
      res.flushHeaders();
    },
    write(chunk) {
      if (!res.writableEnded) res.write(chunk);
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    signal: left.signal,
  };
  try {
    await handler(event, sink, context);
  } catch (err) {
    fail(String((err as Error)?.stack ?? err));
    if (!res.headersSent) return send(res, 500, { message: 'Internal Server Error' }, cors);
    res.destroy();
    return;
  }
  sink.end();
}

class HandlerTimeout extends Error {}

/**
 * Handler deadlines, checked by one shared timer instead of a timer per request: under load, arming and clearing a
 * timer for every request costs more than the rest of the gateway's bookkeeping.
 */
const deadlines = new Set<{ at: number; reject: (e: Error) => void; ms: number }>();
let sweeper: NodeJS.Timeout | undefined;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const entry = { at: Date.now() + ms, reject, ms };
    deadlines.add(entry);
    sweeper ??= setInterval(() => {
      const now = Date.now();
      for (const d of deadlines) {
        if (d.at <= now) {
          deadlines.delete(d);
          d.reject(new HandlerTimeout(`Task timed out after ${d.ms / 1000} seconds`));
        }
      }
      if (!deadlines.size) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    }, 50).unref();
    p.then(
      (v) => {
        deadlines.delete(entry);
        resolve(v);
      },
      (e: unknown) => {
        deadlines.delete(entry);
        reject(e);
      },
    );
  });
}

/** Lambda's rule for a non-structured return value: any JSON value becomes a 200 JSON body. */
function toStructured(out: unknown): APIGatewayProxyStructuredResultV2 {
  if (out && typeof out === 'object' && 'statusCode' in out) return out as APIGatewayProxyStructuredResultV2;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(out ?? null) };
}

const functionNames = new Map<string, { functionName: string; invokedFunctionArn: string; logGroupName: string }>();

export function lambdaContext(functionKey: string, requestId: string, deadline: number): Context {
  let names = functionNames.get(functionKey);
  if (!names) {
    names = {
      functionName: `dpm-${functionKey}`,
      invokedFunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:dpm-${functionKey}`,
      logGroupName: `/aws/lambda/dpm-${functionKey}`,
    };
    functionNames.set(functionKey, names);
  }
  // Method shorthand, not arrows: the tsx/esbuild keep-names transform renames every arrow property it creates
  // (an Object.defineProperty per function per request); methods already carry their names.
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: names.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: names.invokedFunctionArn,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: names.logGroupName,
    logStreamName: 'local',
    getRemainingTimeInMillis() {
      return Math.max(0, deadline - Date.now());
    },
    done() {
      return undefined;
    },
    fail() {
      return undefined;
    },
    succeed() {
      return undefined;
    },
  };
}
