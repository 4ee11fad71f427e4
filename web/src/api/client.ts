// The typed HTTP client. Request bodies and queries are typed from the same zod schemas the handlers parse with
// (functions/lib/api-schemas.ts, imported for types only: nothing of the server reaches the bundle), so a change to
// a schema breaks the web app's build instead of its users.
import type { z } from 'zod';
import type { routeSchemas } from '../../../functions/lib/api-schemas';
import { config } from '../config';

type Schemas = typeof routeSchemas;
export type RouteKey = keyof Schemas;
type Method<K> = K extends `${infer M} ${string}` ? M : never;
type PathOf<K> = K extends `${string} ${infer P}` ? P : never;

/** The body a route takes, as the caller writes it (before zod's defaults and coercions). */
export type BodyOf<K extends RouteKey> = Schemas[K] extends { body: infer B extends z.ZodType } ? z.input<B> : undefined;
export type QueryOf<K extends RouteKey> = Schemas[K] extends { query: infer Q extends z.ZodType } ? z.input<Q> : undefined;

/** `{designId}` style parameters of a path. */
type ParamNames<P> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;
export type ParamsOf<K extends RouteKey> = [ParamNames<PathOf<K>>] extends [never] ? undefined : Record<ParamNames<PathOf<K>>, string>;

/** A refusal from the API, with the message the API gave (written for people) and its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let tokenSource: () => Promise<string | undefined> = async () => undefined;
let onUnauthorized: () => void = () => undefined;

/** The session module plugs in where tokens come from and what to do when the API no longer accepts them. */
export function setTokenSource(source: () => Promise<string | undefined>, unauthorized: () => void): void {
  tokenSource = source;
  onUnauthorized = unauthorized;
}

/** The bearer header for requests `call` cannot make (streams read with fetch, binary previews): empty when signed out. */
export async function authHeaders(): Promise<Record<string, string>> {
  const token = await tokenSource();
  return token ? { authorization: `Bearer ${token}` } : {};
}

export function apiUrl(path: string): string {
  return `${config().apiBase}${path}`;
}

const readable: Record<number, string> = {
  0: 'The platform could not be reached. Check your connection and try again.',
  401: 'Your session has ended. Log in again.',
  403: 'Your account may not do this.',
  404: 'Not found. It may have been removed, or the link is wrong.',
  409: 'This changed meanwhile. Reload and try again.',
  413: 'This file is too large.',
  429: 'Too many requests. Wait a moment and try again.',
  500: 'Something went wrong on our side. Try again in a moment.',
  503: 'The platform is busy or starting. Try again in a moment.',
};

export interface CallOptions<K extends RouteKey> {
  params?: ParamsOf<K>;
  body?: BodyOf<K>;
  query?: QueryOf<K> | Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Calls one route of the description. The response type is the caller's to name (`call<OrderView>(...)`): response
 * shapes are the domain's view types, imported as types next to where they are used.
 */
export async function call<R = unknown, K extends RouteKey = RouteKey>(route: K, opts: CallOptions<K> = {}): Promise<R> {
  const [method, template] = (route as string).split(' ') as [Method<K>, string];
  const params = (opts.params ?? {}) as Record<string, string>;
  let path = template.replace(/\{(\w+)\}/g, (_, n: string) => {
    const v = params[n];
    if (v === undefined) throw new Error(`${route}: missing path parameter ${n}`);
    return encodeURIComponent(v);
  });
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query as Record<string, unknown>)) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    if (s) path += `?${s}`;
  }
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  const token = await tokenSource();
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, readable[0]!);
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    const body = data as { message?: string; details?: unknown } | undefined;
    const message = res.status < 500 && typeof body?.message === 'string' ? body.message : (readable[res.status] ?? readable[500]!);
    throw new ApiError(res.status, message, body?.details);
  }
  return data as R;
}

/** A person-readable sentence for any error a page catches. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.status === 401 ? readable[401]! : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
