// The admin handlers' dependencies, built once per cold start.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { userGroups } from '../../infra/platform.js';
import { CognitoUserDirectory } from '../../shared/adapters/cognito-user-directory.js';
import { DynamoDbOperationsTally } from '../../shared/adapters/dynamodb-operations-tally.js';
import { DynamoDbPrinterStore } from '../../shared/adapters/dynamodb-printer-store.js';
import { IotDataPrinterShadows } from '../../shared/adapters/iot-data-printer-shadows.js';
import { SfnWorkflowRuns } from '../../shared/adapters/sfn-workflow-runs.js';
import { SqsLedgerBacklog } from '../../shared/adapters/sqs-ledger-backlog.js';
import { printerCensus } from '../../shared/admin/printer-census.js';
import type { Acting } from '../../shared/admin/users.js';
import { dynamoDbClient, sdkConfig } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';
import { userOf, type Caller } from '../lib/http.js';

const aws = readConfig(awsClientConfig);

export const userDirectory = () => {
  const { USER_POOL_ID } = readConfig(z.object({ USER_POOL_ID: z.string().min(1) }));
  return new CognitoUserDirectory(new CognitoIdentityProviderClient(sdkConfig(aws)), USER_POOL_ID, userGroups);
};

export const operationsSources = () => {
  const c = readConfig(z.object({ TABLE_MAIN: z.string().min(1), QUEUE_LEDGER_URL: z.string().min(1), WORKFLOW_ORDER_ARN: z.string().min(1) }));
  const dynamo = dynamoDbClient(aws);
  return {
    runs: new SfnWorkflowRuns(new SFNClient(sdkConfig(aws)), c.WORKFLOW_ORDER_ARN),
    backlog: new SqsLedgerBacklog(new SQSClient(sdkConfig(aws)), c.QUEUE_LEDGER_URL),
    tally: new DynamoDbOperationsTally(dynamo, c.TABLE_MAIN),
    fleet: printerCensus({ printers: new DynamoDbPrinterStore(dynamo, c.TABLE_MAIN), shadows: new IotDataPrinterShadows(new IoTDataPlaneClient(sdkConfig(aws))) }),
    now: () => new Date(),
  };
};

export const actingAdmin = (caller: Caller): Acting => {
  const u = userOf(caller);
  return { username: u.username, userId: u.userId };
};
