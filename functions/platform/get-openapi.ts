// GET /openapi.json: the OpenAPI 3.1 document, built once per cold start from the description and the route schemas.
import { functions, type FunctionSpec } from '../../infra/platform.js';
import { openApiDocument, type ApiRoute } from '../../shared/platform/openapi.js';
import { routeSchemas, type RouteSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';

const routes: ApiRoute[] = (Object.values(functions) as FunctionSpec[]).flatMap((f) =>
  f.routes.map((r) => {
    const schemas = (routeSchemas as Record<string, RouteSchemas>)[`${r.method} ${r.path}`];
    if (!schemas) throw new Error(`No schemas for route ${r.method} ${r.path} in functions/lib/api-schemas.ts`);
    return { ...r, optionalSignIn: f.uses.optionalSignIn === true, description: f.description, ...schemas };
  }),
);
const document = openApiDocument(routes, { title: 'DPM — the Digital Product Memory platform', version: '0.1.0' });

export const handler = httpRoute({ run: async () => ({ body: document, headers: { 'cache-control': 'public, max-age=300' } }) });
