// The OpenAPI document: every described route, with the request schemas the handlers really use, and who may call it.
import { describe, expect, it } from 'vitest';
import { functions, type FunctionSpec } from '../../../infra/platform.js';
import { routeSchemas } from '../../../functions/lib/api-schemas.js';
import { openApiDocument } from '../../../shared/platform/openapi.js';

const described = (Object.values(functions) as FunctionSpec[]).flatMap((f) => f.routes.map((r) => ({ ...r, description: f.description })));

describe('the OpenAPI document', () => {
  it('has request schemas for exactly the described routes', () => {
    expect(Object.keys(routeSchemas).sort()).toEqual(described.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('describes each route with its schemas, path parameters and security', async () => {
    process.env.AWS_REGION ??= 'eu-west-1';
    const { handler } = await import('../../../functions/platform/get-openapi.js');
    const res = (await handler({ routeKey: 'GET /openapi.json', rawPath: '/openapi.json', headers: {}, requestContext: {} } as never, {} as never)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as ReturnType<typeof openApiDocument>;
    expect(doc.openapi).toBe('3.1.0');
    for (const r of described) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    const place = doc.paths['/orders']!.post as { requestBody: { content: { 'application/json': { schema: { required: string[]; properties: Record<string, unknown> } } } }; security: unknown[]; 'x-dpm-groups': string[] };
    expect(place.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['clientOrderId', 'designId', 'material', 'acceptedLicenseVersion', 'paymentMethod']));
    expect(place.security).toEqual([{ cognito: [] }]);
    expect(place['x-dpm-groups']).toEqual(['customer']);
    const verify = doc.paths['/01/{gtin}/21/{serial}']!.get as { security: unknown[]; parameters: { name: string; in: string }[] };
    // Public, and a customer may sign in (a signed-in tap confirms their delivery).
    expect(verify.security).toEqual([{}, { cognito: [] }]);
    expect((doc.paths['/designs/{designId}']!.get as { security: unknown[] }).security).toEqual([]);
    expect(verify.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['gtin', 'serial']);
    const search = doc.paths['/designs']!.get as { parameters: { name: string; in: string }[] };
    expect(search.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['q', 'material', 'maxPriceCents', 'limit', 'cursor']));
    // A 503 tells the client when to try again, on every route.
    for (const r of described) {
      const op = doc.paths[r.path]![r.method.toLowerCase()] as { responses: Record<string, { headers?: Record<string, { schema: { type: string } }> }> };
      expect(op.responses['503']?.headers?.['Retry-After']?.schema.type, `${r.method} ${r.path}`).toBe('integer');
    }
  });
});
