// PUT /me: the caller edits their own profile; nobody can address another user's profile through this route.
import { z } from 'zod';
import { DynamoDbProfileStore } from '../../shared/adapters/dynamodb-profile-store.js';
import { updateProfile } from '../../shared/profiles/update-profile.js';
import { dynamoDbClient } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute, userOf } from '../lib/http.js';

const config = readConfig(awsClientConfig.extend({ TABLE_MAIN: z.string().min(1) }));
const deps = { profiles: new DynamoDbProfileStore(dynamoDbClient(config), config.TABLE_MAIN), now: () => new Date() };

export const handler = httpRoute({
  body: routeSchemas['PUT /me'].body,
  run: async ({ caller, body }) => ({ body: await updateProfile({ userId: userOf(caller).userId, profile: body }, deps) }),
});
