// Headers kept in Secrets Manager as a JSON object of strings, for example a hosted BigchainDB network's
// {"app_id": "...", "app_key": "..."}. Only in AWS: locally no secret is configured.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';

export class InvalidHeaderSecret extends Error {
  override name = 'InvalidHeaderSecret';
}

const Headers = z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name'), z.string());

export async function headersFromSecret(client: SecretsManagerClient, secretId: string): Promise<Record<string, string>> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!out.SecretString) throw new InvalidHeaderSecret(`Secret ${secretId} has no string value`);
  let json: unknown;
  try {
    json = JSON.parse(out.SecretString);
  } catch {
    throw new InvalidHeaderSecret(`Secret ${secretId} is not JSON; expected an object of header names to values`);
  }
  const parsed = Headers.safeParse(json);
  if (!parsed.success) throw new InvalidHeaderSecret(`Secret ${secretId} is not an object of header names to string values: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
