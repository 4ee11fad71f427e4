// GET /admin/operations: the dashboard's figures over the last `windowMinutes` minutes.
import { readOperations } from '../../shared/admin/operations.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { operationsSources } from './wiring.js';

const deps = operationsSources();

export const handler = httpRoute({ query: routeSchemas['GET /admin/operations'].query, run: async ({ query }) => ({ body: await readOperations(query, deps) }) });
