// The HTTP edge of every API handler: identity, authorization from the platform description, zod parsing,
// and the one mapping from named errors to statuses. Handlers built with `httpRoute` only call a use case.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { functions, userGroups, type RouteSpec, type UserGroup } from '../../infra/platform.js';
import { Forbidden, InvalidInput, Unauthenticated } from '../../shared/errors.js';
import { bearerToken, type SignIns } from '../../shared/platform/sign-ins.js';
import { errorResponse, logRouteError } from './error-handler.js';

/**
 * Who is calling, as the JWT authorizer (or the local gateway) vouched for it, or, on a public route with an optional
 * sign-in, as the handler's own check of the bearer token found. `rejectedToken`: a token came and did not verify.
 */
export type Caller = { kind: 'anonymous'; rejectedToken?: true } | { kind: 'user'; userId: string; username: string; email?: string; groups: UserGroup[] };

export interface HttpRequest<B, Q> {
  /** The route that matched, e.g. `GET /designs/{designId}`: a function serving two routes tells them apart by it. */
  route: string;
  caller: Caller;
  body: B;
  query: Q;
  path: Record<string, string>;
  headers: Record<string, string>;
  /** The body exactly as sent, for signatures computed over its bytes (webhooks). */
  rawBody: string;
}

export interface HttpResult {
  status?: number;
  /** JSON, or bytes (sent base64-encoded to API Gateway, which passes them on as binary). */
  body?: unknown;
  headers?: Record<string, string>;
}

type Event = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
};

const routeAuth = new Map<string, RouteSpec['auth']>();
for (const fn of Object.values(functions)) {
  for (const r of fn.routes) routeAuth.set(`${r.method} ${r.path}`, r.auth);
}

/** API Gateway flattens array claims to `[a b]`; the local gateway does the same, so parse both shapes. */
export function parseGroups(claim: unknown): UserGroup[] {
  const raw = Array.isArray(claim)
    ? claim.map(String)
    : typeof claim === 'string'
      ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return raw.filter((g): g is UserGroup => (userGroups as readonly string[]).includes(g));
}

export function callerOf(event: Event): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims || typeof claims.sub !== 'string') return { kind: 'anonymous' };
  return {
    kind: 'user',
    userId: claims.sub,
    username: String(claims['cognito:username'] ?? claims.username ?? claims.sub),
    email: typeof claims.email === 'string' ? claims.email : undefined,
    groups: parseGroups(claims['cognito:groups']),
  };
}

/** The signed-in caller; routes that are not public never reach a handler without one, but the type says so. */
export function userOf(caller: Caller): Extract<Caller, { kind: 'user' }> {
  if (caller.kind !== 'user') throw new Unauthenticated('A valid bearer token is required');
  return caller;
}

/**
 * The bearer credential of a request, for routes that authenticate it themselves (partners' API keys): the gateway
 * passes the Authorization header of a public route through untouched.
 */
export function bearerOf(headers: Record<string, string>): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? headers.Authorization ?? '');
  return m?.[1];
}

/**
 * A public route's optional sign-in: API Gateway passes the Authorization header through unchecked (its JWT
 * authorizer cannot be optional), so the token is checked here against the pool's keys.
 */
async function optionalCaller(event: Event, signIns: SignIns): Promise<Caller> {
  return callerOfToken(event.headers?.authorization ?? event.headers?.Authorization, signIns);
}

/** The caller an `Authorization: Bearer` header names, checked against the pool's keys; no header is anonymous. */
export async function callerOfToken(header: string | undefined, signIns: SignIns): Promise<Caller> {
  if (header === undefined) return { kind: 'anonymous' };
  const token = bearerToken(header);
  const user = token ? await signIns.userOf(token) : undefined;
  if (!user) return { kind: 'anonymous', rejectedToken: true };
  return { kind: 'user', userId: user.userId, username: user.username, email: user.email, groups: parseGroups(user.groups) };
}

export function authorize(routeKey: string, caller: Caller): void {
  const auth = routeAuth.get(routeKey);
  // A handler reached through a route the description does not know is a wiring bug: refuse rather than guess.
  if (!auth) throw new Forbidden(`Route ${routeKey} is not described`);
  if (auth.kind === 'public') return;
  if (caller.kind !== 'user') throw new Unauthenticated('A valid bearer token is required');
  if (!caller.groups.some((g) => auth.groups.includes(g))) {
    throw new Forbidden(`This route is for ${auth.groups.join(', ')}`);
  }
}

function parseBody<B>(event: Event, schema: z.ZodType<B> | undefined): B {
  if (!schema) return undefined as B;
  let json: unknown;
  const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (text.trim() === '') throw new InvalidInput('Request body is required and must be JSON');
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInput(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  return parseWith(schema, json, 'body');
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInput(`Invalid ${where}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

export function httpRoute<B = undefined, Q = Record<string, string>>(opts: {
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** For a public route that takes an optional sign-in: how to check a bearer token (see `optionalCaller`). */
  optionalSignIn?: SignIns;
  run: (req: HttpRequest<B, Q>) => Promise<HttpResult>;
}) {
  const core = async (event: Event): Promise<APIGatewayProxyStructuredResultV2> => {
    let caller = callerOf(event);
    if (caller.kind === 'anonymous' && opts.optionalSignIn && routeAuth.get(event.routeKey)?.kind === 'public') caller = await optionalCaller(event, opts.optionalSignIn);
    authorize(event.routeKey, caller);
    const req: HttpRequest<B, Q> = {
      route: event.routeKey,
      caller,
      body: parseBody(event, opts.body),
      query: opts.query ? parseWith(opts.query, event.queryStringParameters ?? {}, 'query string') : ((event.queryStringParameters ?? {}) as Q),
      path: (event.pathParameters ?? {}) as Record<string, string>,
      headers: (event.headers ?? {}) as Record<string, string>,
      rawBody: event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '',
    };
    const result = await opts.run(req);
    const status = result.status ?? (result.body === undefined ? 204 : 200);
    if (result.body instanceof Uint8Array) {
      return {
        statusCode: status,
        headers: { 'content-type': 'application/octet-stream', ...result.headers },
        body: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength).toString('base64'),
        isBase64Encoded: true,
      };
    }
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json', ...result.headers },
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    };
  };
  // No early-timeout timer per request: Lambda (and the local gateway) already end a handler at its timeout, and
  // the error handler below turns any failure into the one 500 body.
  return middy<Event, APIGatewayProxyStructuredResultV2, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use({
      onError: (request) => {
        logRouteError(request.event.routeKey, request.error);
        request.response = errorResponse(request.error);
      },
    })
    .handler(core);
}
