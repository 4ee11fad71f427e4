// The edge of a streaming route (Server-Sent Events): the same identity, authorization and error mapping as
// `httpRoute`, then a stream of events instead of one body. Lambda streams through `awslambda.streamifyResponse`
// (a function URL or a REST API with response streaming; HTTP APIs buffer); the local gateway passes its own sink.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Writable } from 'node:stream';
import { DomainError } from '../../shared/errors.js';
import { errorResponse } from './error-handler.js';
import { authorize, callerOf, type Caller } from './http.js';
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

/**
 * An SSE route. `run` returns the events to send; its first one is awaited before anything is written, so a refusal
 * (404 for someone else's order) is an ordinary JSON error response, not a broken stream.
 */
export function sseRoute(opts: {
  event: string;
  run: (req: { caller: Caller; path: Record<string, string> }, signal: AbortSignal, context: Context) => AsyncIterator<unknown>;
}): StreamingHandler {
  const core: StreamingHandler = async (event, sink, context) => {
    let events: AsyncIterator<unknown>;
    let first: IteratorResult<unknown>;
    try {
      const caller = callerOf(event);
      authorize(event.routeKey, caller);
      events = opts.run({ caller, path: (event.pathParameters ?? {}) as Record<string, string> }, sink.signal, context);
      first = await events.next();
    } catch (err) {
      if (!(err instanceof DomainError)) logger.error('Unhandled error', { routeKey: event.routeKey, error: err as Error });
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
      logger.error('Stream failed', { routeKey: event.routeKey, error: err as Error });
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
