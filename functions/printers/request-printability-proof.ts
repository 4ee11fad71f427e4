// POST /designs/{designId}/printability: asks one printer to check the design against its own profile.
import { z } from 'zod';
import { requestPrintabilityProof } from '../../shared/printers/printability-proof.js';
import { DynamoDbDesignStore } from '../../shared/adapters/dynamodb-design-store.js';
import { dynamoDbClient } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';
import { printerMessages, printerStore } from './wiring.js';

const config = readConfig(awsClientConfig.extend({ TABLE_MAIN: z.string().min(1) }));
const deps = { designs: new DynamoDbDesignStore(dynamoDbClient(config), config.TABLE_MAIN), printers: printerStore(), messages: printerMessages() };

export const handler = httpRoute({
  body: routeSchemas['POST /designs/{designId}/printability'].body,
  run: async ({ body, path }) => ({ status: 202, body: await requestPrintabilityProof({ designId: path.designId!, printerId: body.printerId }, deps) }),
});
