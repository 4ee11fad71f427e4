// The OpenAPI 3.1 document of the HTTP API, generated from the platform description (routes, who may call them) and
// the zod request schemas the handlers use. OpenAPI 3.1 speaks JSON Schema 2020-12, which is what zod emits.
import { z } from 'zod';

export interface ApiRoute {
  method: string;
  path: string;
  auth: { kind: 'public' } | { kind: 'groups'; groups: readonly string[] };
  /** A public route that also takes a sign-in (checked by its function). */
  optionalSignIn?: boolean;
  description: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Partner routes: public at the gateway, authenticated by a partner API key holding this scope. */
  partnerScope?: string;
  /** The media type of a successful answer, when it is not JSON (binary STL previews). */
  produces?: string;
}

const errorStatuses = { '400': 'Invalid input', '401': 'No valid token (or partner API key)', '403': 'Not allowed for the caller’s groups (or the key’s scopes)', '404': 'Not found', '409': 'Conflict with the current state', '413': 'Body too large', '422': 'A business rule refuses it', '503': 'A dependency is unavailable' };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input') {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodType) {
  const s = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown };
  if (!s.properties) return [{ name: 'params', in: 'query', style: 'form', explode: true, schema: s }];
  return Object.entries(s.properties).map(([name, p]) => ({ name, in: 'query', required: s.required?.includes(name) ?? false, schema: p }));
}

export function openApiDocument(routes: readonly ApiRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const pathParams = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const errors = Object.fromEntries(
      Object.entries(errorStatuses)
        .filter(([code]) => (r.auth.kind === 'public' && !r.partnerScope ? code !== '401' && code !== '403' : true))
        .map(([code, description]) => [
          code,
          {
            description,
            ...(code === '503' ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } } } : {}),
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
    );
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      summary: r.summary,
      description: r.description,
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/(^|\/)([a-z0-9])/gi, (_m, _s, c: string) => c.toUpperCase())}`,
      // `{}` among the requirements is OpenAPI's way of saying the token is optional.
      ...(r.auth.kind === 'groups'
        ? { security: [{ cognito: [] }], 'x-dpm-groups': r.auth.groups }
        : r.partnerScope
          ? { security: [{ partnerKey: [] }], 'x-dpm-partner-scope': r.partnerScope }
          : { security: r.optionalSignIn ? [{}, { cognito: [] }] : [] }),
      parameters: [...pathParams, ...(r.query ? queryParameters(r.query) : [])],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        '200': { description: 'OK', content: r.produces ? { [r.produces]: { schema: { type: 'string', contentMediaType: r.produces } } } : { 'application/json': {} } },
        ...errors,
        '500': { description: 'Internal error (logged)' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito ID token; groups come from its cognito:groups claim' },
        partnerKey: { type: 'http', scheme: 'bearer', bearerFormat: 'dpmk.<keyId>.<secret>', description: 'A partner API key issued by an admin; each route needs one scope (x-dpm-partner-scope)' },
      },
      schemas: {
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } },
      },
    },
  };
}
