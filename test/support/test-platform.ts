// The whole platform in-process on free ports and a temporary data directory, with every demo user signed in:
// the shared setup of the in-process end-to-end tests.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUsers } from '../../local/demo-users.js';
import { portVars, readLocalConfig } from '../../local/local-config.js';
import { startPlatform, type RunningPlatform } from '../../local/runtime.js';
import { localCredentials, localRegion } from '../../local/servers/local-aws.js';

export interface TestPlatform {
  platform: RunningPlatform;
  dataDir: string;
  /** An IdToken per demo user, by group. */
  tokens: Record<string, string>;
  api(path: string, as?: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** `parentDir`: where the temporary data directory goes (the system's temporary directory unless given). */
export async function startTestPlatform(opts: { parentDir?: string; dynamoDbStorage?: 'disk' | 'memory'; dynamoDbJit?: 'quick' | 'optimizing' } = {}): Promise<TestPlatform> {
  const dataDir = await mkdtemp(join(opts.parentDir ?? tmpdir(), 'dpm-e2e-'));
  const env: NodeJS.ProcessEnv = { DPM_DATA_DIR: dataDir, DPM_LOG: 'quiet', DPM_DYNAMODB_STORAGE: opts.dynamoDbStorage ?? 'disk', DPM_DYNAMODB_JIT: opts.dynamoDbJit ?? 'quick' };
  for (const v of portVars) env[v] = '0';
  const platform = await startPlatform(readLocalConfig(env));
  const tokens: Record<string, string> = {};
  const idp = new CognitoIdentityProviderClient({ endpoint: platform.urls.cognito, region: localRegion, credentials: localCredentials });
  for (const u of demoUsers) {
    const out = await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: platform.userPool.clientId, AuthParameters: { USERNAME: u.username, PASSWORD: u.password } }));
    tokens[u.group] = out.AuthenticationResult!.IdToken!;
  }
  idp.destroy();
  return {
    platform,
    dataDir,
    tokens,
    api: (path, as, init = {}) =>
      fetch(`${platform.gatewayUrl}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...(init.headers as Record<string, string> | undefined) },
      }),
    async close() {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
