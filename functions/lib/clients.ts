// AWS SDK clients, built once per cold start. Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables,
// which the local runtime sets; in AWS they are unset and the SDK uses the regional endpoints.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { headersFromSecret } from '../../shared/adapters/secrets-manager-headers.js';
import type { z } from 'zod';
import type { awsClientConfig } from './config.js';

type AwsConfig = z.infer<typeof awsClientConfig>;

export const dynamoDbClient = (c: AwsConfig) => new DynamoDBClient({ region: c.AWS_REGION });
export const s3Client = (c: AwsConfig) => new S3Client({ region: c.AWS_REGION, forcePathStyle: c.S3_FORCE_PATH_STYLE });

/** Reads header secrets with a client made only when a secret is configured. */
export const secretHeaders = (c: AwsConfig) => (arn: string) => headersFromSecret(new SecretsManagerClient({ region: c.AWS_REGION }), arn);
