// The designs handlers' dependencies, each built once per cold start from the variables that function is given.
// A handler module calls the getters it needs at module scope, so a missing variable fails at cold start by name.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DynamoDbDesignStore } from '../../shared/adapters/dynamodb-design-store.js';
import { EventBridgeDesignEvents } from '../../shared/adapters/eventbridge-design-events.js';
import { KmsDataKeys } from '../../shared/adapters/kms-data-keys.js';
import { S3BlobStore } from '../../shared/adapters/s3-blob-store.js';
import { dynamoDbClient, s3Client, sdkConfig } from '../lib/clients.js';
import { awsClientConfig, readConfig } from '../lib/config.js';

const aws = readConfig(awsClientConfig);

export const designStore = () => new DynamoDbDesignStore(dynamoDbClient(aws), readConfig(z.object({ TABLE_MAIN: z.string().min(1) })).TABLE_MAIN);

/** Quarantined uploads and sealed designs share the designs bucket, under different prefixes. */
export const designFiles = () => new S3BlobStore(s3Client(aws), readConfig(z.object({ BUCKET_DESIGNS: z.string().min(1) })).BUCKET_DESIGNS);

/** Designs' preview meshes, in a bucket of their own (sealed like the designs). */
export const designPreviews = () => new S3BlobStore(s3Client(aws), readConfig(z.object({ BUCKET_PREVIEWS: z.string().min(1) })).BUCKET_PREVIEWS);

export const designDataKeys = () => new KmsDataKeys(new KMSClient(sdkConfig(aws)), readConfig(z.object({ KEY_DATA: z.string().min(1) })).KEY_DATA);

export const clock = { now: () => new Date() };
export const ids = { newId: () => randomUUID() };

export const designEvents = () =>
  new EventBridgeDesignEvents(new EventBridgeClient(sdkConfig(aws)), readConfig(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME);
