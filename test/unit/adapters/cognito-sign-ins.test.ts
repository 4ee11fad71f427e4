// Sign-in tokens as API Gateway's JWT authorizer judges them, for the functions that check an optional sign-in
// themselves (and the local gateway, which uses the same function): valid ID and access tokens of the pool's app
// client pass; altered, expired, foreign-issuer, foreign-client and foreign-key tokens do not.
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CognitoSignIns } from '../../../shared/adapters/cognito-sign-ins.js';

const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST';
const clientId = 'client-1';

describe('CognitoSignIns', () => {
  let signIns: CognitoSignIns;
  let token: (claims: JWTPayload, opts?: { expiresIn?: string | number; key?: CryptoKey }) => Promise<string>;
  /** A key the pool never published. */
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const pool = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(pool.publicKey)), kid: 'pool-key', alg: 'RS256', use: 'sig' };
    signIns = new CognitoSignIns({ issuer, audience: [clientId] }, createLocalJWKSet({ keys: [jwk] }));
    token = (claims, opts = {}) =>
      new SignJWT({ iss: issuer, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'pool-key' })
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '1h')
        .sign(opts.key ?? pool.privateKey);
    strangerKey = stranger.privateKey;
  });

  const idClaims = { sub: 'user-1', aud: clientId, token_use: 'id', 'cognito:username': 'ada', email: 'ada@example.com', 'cognito:groups': ['customer'] };

  it('accepts an ID token for the app client, and an access token naming it as client_id', async () => {
    expect(await signIns.userOf(await token(idClaims))).toEqual({ userId: 'user-1', username: 'ada', email: 'ada@example.com', groups: ['customer'] });
    expect(await signIns.userOf(await token({ sub: 'user-2', client_id: clientId, token_use: 'access', username: 'bob' }))).toMatchObject({ userId: 'user-2', username: 'bob', groups: [] });
  });

  it('refuses altered, expired, foreign and unsigned tokens', async () => {
    const valid = await token(idClaims);
    const [h, p, s] = valid.split('.');
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...idClaims, sub: 'someone-else', iss: issuer })).toString('base64url')}.${s}`;
    expect(p).not.toBe(altered.split('.')[1]);
    expect(await signIns.userOf(altered)).toBeUndefined();
    expect(await signIns.userOf(await token(idClaims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }))).toBeUndefined();
    expect(await signIns.userOf(await token({ ...idClaims, iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OTHER' }))).toBeUndefined();
    expect(await signIns.userOf(await token({ ...idClaims, aud: 'another-client' }))).toBeUndefined();
    expect(await signIns.userOf(await token({ sub: 'user-2', client_id: 'another-client', token_use: 'access' }))).toBeUndefined();
    expect(await signIns.userOf(await token(idClaims, { key: strangerKey }))).toBeUndefined();
    expect(await signIns.userOf(`${h}.${p}.`)).toBeUndefined();
    expect(await signIns.userOf('not-a-jwt')).toBeUndefined();
  });
});
