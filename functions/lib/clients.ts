// AWS SDK clients, built once per cold start. Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables,
// which the local runtime sets; in AWS they are unset and the SDK uses the regional endpoints.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { headersFromSecret } from '../../shared/adapters/secrets-manager-headers.js';
import type { z } from 'zod';
import type { awsClientConfig } from './config.js';
import { Sha256 } from './sha256.js';

type AwsConfig = z.infer<typeof awsClientConfig>;

/** What every client of the functions is built with: the region, and the SHA-256 its requests are signed with. */
export const sdkConfig = (c: Pick<AwsConfig, 'AWS_REGION'>) => ({ region: c.AWS_REGION, sha256: Sha256 });

export const dynamoDbClient = (c: AwsConfig) => new DynamoDBClient(sdkConfig(c));
export const s3Client = (c: AwsConfig) => new S3Client({ ...sdkConfig(c), forcePathStyle: c.S3_FORCE_PATH_STYLE });

/** Reads header secrets with a client made only when a secret is configured. */
export const secretHeaders = (c: AwsConfig) => (arn: string) => headersFromSecret(new SecretsManagerClient(sdkConfig(c)), arn);
