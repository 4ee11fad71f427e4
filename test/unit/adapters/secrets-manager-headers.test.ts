// The only adapter that exists only in AWS so far: ledger auth headers from Secrets Manager, with the client mocked.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { ledgerConfig, ledgerHeaders } from '../../../functions/lib/ledger-config.js';
import { headersFromSecret, InvalidHeaderSecret } from '../../../shared/adapters/secrets-manager-headers.js';

const sm = mockClient(SecretsManagerClient);
const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dpm/ledger-abc';

describe('ledger headers from Secrets Manager', () => {
  beforeEach(() => sm.reset());

  it('reads a JSON object of headers', async () => {
    sm.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: '{"app_id":"dpm","app_key":"s3cr3t"}' });
    expect(await headersFromSecret(new SecretsManagerClient({}), arn)).toEqual({ app_id: 'dpm', app_key: 's3cr3t' });
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: arn });
  });

  it('refuses secrets that are not an object of string headers, saying which', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'app_id=dpm' });
    await expect(headersFromSecret(new SecretsManagerClient({}), arn)).rejects.toThrow(/is not JSON/);
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"app_id": 42}' });
    await expect(headersFromSecret(new SecretsManagerClient({}), arn)).rejects.toBeInstanceOf(InvalidHeaderSecret);
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"bad header": "x"}' });
    await expect(headersFromSecret(new SecretsManagerClient({}), arn)).rejects.toThrow(/header name/);
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(headersFromSecret(new SecretsManagerClient({}), arn)).rejects.toThrow(/no string value/);
  });

  it('merges secret headers over the plain ones, and reads no secret when none is configured', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"app_key":"k"}' });
    const load = (a: string) => headersFromSecret(new SecretsManagerClient({}), a);
    const withSecret = ledgerConfig.parse({ LEDGER_URL: 'https://ledger.example', LEDGER_HEADERS: '{"x-client":"dpm"}', LEDGER_HEADERS_SECRET_ARN: arn });
    expect(await ledgerHeaders(withSecret, load)).toEqual({ 'x-client': 'dpm', app_key: 'k' });
    sm.reset();
    const plain = ledgerConfig.parse({ LEDGER_URL: 'https://ledger.example', LEDGER_HEADERS: '{}', LEDGER_HEADERS_SECRET_ARN: '' });
    expect(await ledgerHeaders(plain, load)).toEqual({});
    expect(sm).not.toHaveReceivedCommand(GetSecretValueCommand);
  });
});
