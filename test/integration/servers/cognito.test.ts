// cognito-local wrapped: pool, groups, client and demo users made idempotently; tokens that verify with jose and
// carry the groups; everything kept across a restart.
import { AdminAddUserToGroupCommand, AdminConfirmSignUpCommand, CognitoIdentityProviderClient, InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../../local/demo-users.js';
import { startCognito } from '../../../local/servers/cognito.js';
import { localCredentials, localRegion } from '../../../local/servers/local-aws.js';

describe('local Cognito', () => {
  let dir: string;
  let cognito: Awaited<ReturnType<typeof startCognito>>;
  const idp = () => new CognitoIdentityProviderClient({ endpoint: cognito.url, region: localRegion, credentials: localCredentials });
  const login = async (username: string, password: string) => {
    const c = idp();
    const out = await c.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: cognito.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));
    c.destroy();
    return out.AuthenticationResult!;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpm-cognito-'));
    cognito = await startCognito({ port: 0, dataDir: dir, demoUsers });
  });

  afterAll(async () => {
    await cognito?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs in every demo user with a token that verifies and carries their group', async () => {
    const jwks = createRemoteJWKSet(new URL(cognito.jwksUrl));
    for (const u of demoUsers) {
      const tokens = await login(u.username, u.password);
      const { payload } = await jwtVerify(tokens.IdToken!, jwks, { issuer: cognito.issuer, audience: cognito.clientId });
      expect(payload['cognito:groups']).toEqual([u.group]);
      expect(payload.email).toBe(u.username);
    }
  });

  it('refuses a wrong password', async () => {
    await expect(login(demoUsers[0]!.username, 'wrong-Password-1')).rejects.toMatchObject({ name: expect.stringMatching(/NotAuthorized|InvalidPassword/) });
  });

  it('signs up, confirms and groups a new user', async () => {
    const c = idp();
    await c.send(new SignUpCommand({ ClientId: cognito.clientId, Username: 'new@dpm.local', Password: 'New-user-pass-1', UserAttributes: [{ Name: 'email', Value: 'new@dpm.local' }] }));
    await c.send(new AdminConfirmSignUpCommand({ UserPoolId: cognito.userPoolId, Username: 'new@dpm.local' }));
    await c.send(new AdminAddUserToGroupCommand({ UserPoolId: cognito.userPoolId, Username: 'new@dpm.local', GroupName: 'customer' }));
    c.destroy();
    const tokens = await login('new@dpm.local', 'New-user-pass-1');
    expect(JSON.parse(Buffer.from(tokens.IdToken!.split('.')[1]!, 'base64url').toString())['cognito:groups']).toEqual(['customer']);
  });

  it('keeps the pool, client and users across a restart', async () => {
    const { userPoolId, clientId } = cognito;
    await cognito.close();
    cognito = await startCognito({ port: 0, dataDir: dir, demoUsers });
    expect([cognito.userPoolId, cognito.clientId]).toEqual([userPoolId, clientId]);
    const token = (await login('new@dpm.local', 'New-user-pass-1')).IdToken!;
    // Group membership survives too (cognito-local drops it if a group is re-created).
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())['cognito:groups']).toEqual(['customer']);
    expect((await cognito.health()).ok).toBe(true);
  });
});
