// The partner handlers' dependencies, built once per cold start.
import { KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DynamoDbPartners } from '../../shared/adapters/dynamodb-partners.js';
import { KmsDataKeys } from '../../shared/adapters/kms-data-keys.js';
import { dynamoDbClient } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';

const config = readConfig(awsClientConfig.extend({ TABLE_MAIN: z.string().min(1), KEY_DATA: z.string().min(1) }));
export const partnerStore = () => new DynamoDbPartners(dynamoDbClient(config), config.TABLE_MAIN);
export const partnerDataKeys = () => new KmsDataKeys(new KMSClient({ region: config.AWS_REGION }), config.KEY_DATA);
export const partnerIds = { newId: () => randomUUID() };
