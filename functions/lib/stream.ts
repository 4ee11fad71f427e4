// The edge of a streaming route (Server-Sent Events): the same identity, authorization and error mapping as
// `httpRoute`, then a stream of events instead of one body. In AWS, Lambda streams through
// `awslambda.streamifyResponse` behind the function's URL (HTTP APIs buffer); the local gateway passes its own sink.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Writable } from 'node:stream';
import { functions, viewerAuthorizationHeader, type FunctionSpec } from '../../infra/platform.js';
import { NotFound } from '../../shared/errors.js';
import type { SignIns } from '../../shared/platform/sign-ins.js';
import { errorResponse, logRouteError } from './error-handler.js';
import { authorize, callerOf, callerOfToken, type Caller } from './http.js';
import { logger } from './observability.js';

/** Where a streaming handler writes: the status and headers once, then chunks; `signal` aborts when the client leaves. */
export interface ResponseSink {
  open(status: number, headers: Record<string, string>): void;
  write(chunk: string): void;
  end(): void;
  signal: AbortSignal;
}

export type StreamingHandler = (event: APIGatewayProxyEventV2, sink: ResponseSink, context: Context) => Promise<void>;

interface LambdaStreaming {
  streamifyResponse(h: (event: unknown, stream: Writable, context: Context) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: Writable, meta: { statusCode: number; headers: Record<string, string> }): Writable };
}

export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The routes of response-streaming functions, as templates a function URL's raw path is matched against. */
const streamingRoutes = Object.values(functions as Record<string, FunctionSpec>)
  .filter((f) => f.responseStreaming)
  .flatMap((f) => f.routes)
  .map((r) => {
    const names: string[] = [];
    const pattern = r.path
      .split('/')
      .map((seg) => {
        const param = /^\{(\w+)\}$/.exec(seg);
        if (!param) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]!);
        return '([^/]+)';
      })
      .join('/');
    return { key: `${r.method} ${r.path}`, method: r.method, regex: new RegExp(`^${pattern}/?$`), names };
  });

/**
 * The described route of a request and its path parameters. Through API Gateway or the local gateway the event names
 * them; a function URL's event has the route key `$default` and only the raw path, which keeps the web app's `/api`
 * prefix when nothing stripped it.
 */
function routeOf(event: APIGatewayProxyEventV2): { key: string; path: Record<string, string> } {
  if (event.routeKey && event.routeKey !== '$default') return { key: event.routeKey, path: (event.pathParameters ?? {}) as Record<string, string> };
  const path = event.rawPath.startsWith('/api/') ? event.rawPath.slice(4) : event.rawPath;
  for (const r of streamingRoutes) {
    const m = r.method === event.requestContext.http.method ? r.regex.exec(path) : null;
    if (!m) continue;
    try {
      return { key: r.key, path: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
    } catch {
      break; // A malformed escape names no order.
    }
  }
  throw new NotFound(`No stream at ${event.rawPath}`);
}

/**
 * The caller: as the JWT authorizer (or the local gateway) vouched for it, else from the bearer token checked here.
 * Behind the function URL CloudFront's SigV4 signature holds `Authorization`, so the viewer's comes in its own header.
 */
async function streamCaller(event: APIGatewayProxyEventV2, signIns: SignIns | undefined): Promise<Caller> {
  const vouched = callerOf(event);
  if (vouched.kind === 'user' || !signIns) return vouched;
  const headers = event.headers ?? {};
  return callerOfToken(headers[viewerAuthorizationHeader] ?? headers.authorization ?? headers.Authorization, signIns);
}

/**
 * An SSE route. `run` returns the events to send; its first one is awaited before anything is written, so a refusal
 * (401 without a valid token, 404 for someone else's order) is an ordinary JSON error response, not a broken stream.
 */
export function sseRoute(opts: {
  event: string;
  /** How to check a bearer token no JWT authorizer checked: the function URL in AWS has none in front of it. */
  signIns?: SignIns;
  run: (req: { caller: Caller; path: Record<string, string> }, signal: AbortSignal, context: Context) => AsyncIterator<unknown>;
}): StreamingHandler {
  const core: StreamingHandler = async (event, sink, context) => {
    let routeKey = event.routeKey;
    let events: AsyncIterator<unknown>;
    let first: IteratorResult<unknown>;
    try {
      const route = routeOf(event);
      routeKey = route.key;
      const caller = await streamCaller(event, opts.signIns);
      authorize(route.key, caller);
      events = opts.run({ caller, path: route.path }, sink.signal, context);
      first = await events.next();
    } catch (err) {
      logRouteError(routeKey, err);
      const res = errorResponse(err);
      sink.open(res.statusCode ?? 500, (res.headers ?? {}) as Record<string, string>);
      sink.write(String(res.body ?? ''));
      sink.end();
      return;
    }
    // `retry`: how long the browser waits before it reconnects after the stream ends at its time limit.
    sink.open(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    sink.write('retry: 1000\n\n');
    // A comment now and then, so proxies (CloudFront waits 30 s by default) do not take a quiet stream for a dead one.
    const beat = setInterval(() => sink.write(': keep-alive\n\n'), 15_000);
    try {
      for (let r = first; !r.done && !sink.signal.aborted; r = await events.next()) sink.write(sseFrame(opts.event, r.value));
    } catch (err) {
      logger.error('Stream failed', { routeKey, error: err as Error });
    } finally {
      clearInterval(beat);
      await events.return?.();
      sink.end();
    }
  };
  // Lambda's Node.js runtime provides `awslambda`; elsewhere something else may define a global of that name.
  const lambda = (globalThis as { awslambda?: Partial<LambdaStreaming> }).awslambda;
  if (typeof lambda?.streamifyResponse !== 'function' || !lambda.HttpResponseStream) return core;
  const from = lambda.HttpResponseStream.from.bind(lambda.HttpResponseStream);
  return lambda.streamifyResponse(async (event, stream, context) => {
    let out: Writable | undefined;
    const ac = new AbortController();
    stream.on('close', () => ac.abort());
    await core(
      event as APIGatewayProxyEventV2,
      {
        open: (statusCode, headers) => void (out = from(stream, { statusCode, headers })),
        write: (chunk) => void out?.write(chunk),
        end: () => out?.end(),
        signal: ac.signal,
      },
      context,
    );
  }) as StreamingHandler;
}
