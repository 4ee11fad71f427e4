// Secrets read from Secrets Manager at a cold start: a secret's string (Stripe's API key and webhook secret), and
// headers kept as a JSON object of strings, for example a hosted BigchainDB network's {"app_id": "...", "app_key":
// "..."}. Only in AWS: locally no secret is configured.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { reportUnavailable } from './aws-unavailable.js';

export class InvalidHeaderSecret extends Error {
  override name = 'InvalidHeaderSecret';
}

const Headers = z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name'), z.string());

/**
 * A secret's string value, read at a cold start. Secrets Manager throttled or down past the SDK's retries is
 * DependencyUnavailable, so that the workflow retries a task whose start failed on it instead of catching it into the
 * refund, and the API answers 503 rather than 500.
 */
export async function secretStringOf(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  reportUnavailable(client, 'Secrets Manager');
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

export async function headersFromSecret(client: SecretsManagerClient, secretId: string): Promise<Record<string, string>> {
  const value = await secretStringOf(client, secretId);
  if (!value) throw new InvalidHeaderSecret(`Secret ${secretId} has no string value`);
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new InvalidHeaderSecret(`Secret ${secretId} is not JSON; expected an object of header names to values`);
  }
  const parsed = Headers.safeParse(json);
  if (!parsed.success) throw new InvalidHeaderSecret(`Secret ${secretId} is not an object of header names to string values: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
