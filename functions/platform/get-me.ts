// GET /me: the caller as the platform sees it (identity, roles and profile), for the web app's session.
import { z } from 'zod';
import { DynamoDbProfileStore } from '../../shared/adapters/dynamodb-profile-store.js';
import { describeCaller } from '../../shared/platform/describe-caller.js';
import { dynamoDbClient } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { httpRoute } from '../lib/http.js';

const config = readConfig(awsClientConfig.extend({ TABLE_MAIN: z.string().min(1) }));
const profiles = new DynamoDbProfileStore(dynamoDbClient(config), config.TABLE_MAIN);

export const handler = httpRoute({ run: async ({ caller }) => ({ body: await describeCaller(caller, { profiles }) }) });
