// POST /signup: opens a designer, customer or printer-operator account; the web app then signs in with Cognito.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { CognitoAccountDirectory } from '../../shared/adapters/cognito-account-directory.js';
import { DynamoDbProfileStore } from '../../shared/adapters/dynamodb-profile-store.js';
import { signUp } from '../../shared/profiles/sign-up.js';
import { dynamoDbClient, sdkConfig } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { routeSchemas } from '../lib/api-schemas.js';
import { httpRoute } from '../lib/http.js';

const config = readConfig(awsClientConfig.extend({ TABLE_MAIN: z.string().min(1), USER_POOL_ID: z.string().min(1) }));
const deps = {
  accounts: new CognitoAccountDirectory(new CognitoIdentityProviderClient(sdkConfig(config)), config.USER_POOL_ID),
  profiles: new DynamoDbProfileStore(dynamoDbClient(config), config.TABLE_MAIN),
  now: () => new Date(),
};

export const handler = httpRoute({
  body: routeSchemas['POST /signup'].body,
  run: async ({ body }) => ({ status: 201, body: await signUp(body, deps) }),
});
