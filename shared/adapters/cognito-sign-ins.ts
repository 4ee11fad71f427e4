// Cognito sign-in tokens, checked the way API Gateway's JWT authorizer checks them: the signature against the pool's
// published keys (JWKS), the issuer, the expiry, and the app client as `aud` (ID tokens) or `client_id` (access
// tokens). The local gateway checks protected routes with `verifyCognitoToken`; a function whose public route takes
// an optional sign-in checks the token itself with `CognitoSignIns`, so both paths accept exactly the same tokens.
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { SignedInUser, SignIns } from '../platform/sign-ins.js';

export interface CognitoTokenRules {
  issuer: string;
  /** App client ids accepted as `aud` (ID tokens) or `client_id` (access tokens). */
  audience: readonly string[];
}

/** The pool's keys, fetched from `<issuer>/.well-known/jwks.json` and cached by jose (refetched for an unknown key id). */
export const cognitoKeys = (issuer: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`));

/** The token's claims, or undefined for any token that is not valid now (forged, altered, expired, another pool or client). */
export async function verifyCognitoToken(token: string, keys: JWTVerifyGetKey, rules: CognitoTokenRules): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys, { issuer: rules.issuer });
    const audience = payload.token_use === 'access' ? payload.client_id : payload.aud;
    const auds = Array.isArray(audience) ? audience : [audience];
    if (!auds.some((a) => typeof a === 'string' && rules.audience.includes(a))) return undefined;
    return payload;
  } catch {
    // Unreadable keys count as an invalid token too: the JWT authorizer answers 401 then, it does not let it through.
    return undefined;
  }
}

export class CognitoSignIns implements SignIns {
  constructor(
    private readonly rules: CognitoTokenRules,
    private readonly keys: JWTVerifyGetKey = cognitoKeys(rules.issuer),
  ) {}

  async userOf(token: string): Promise<SignedInUser | undefined> {
    const claims = await verifyCognitoToken(token, this.keys, this.rules);
    if (!claims || typeof claims.sub !== 'string') return undefined;
    const groups = claims['cognito:groups'];
    return {
      userId: claims.sub,
      username: String(claims['cognito:username'] ?? claims.username ?? claims.sub),
      email: typeof claims.email === 'string' ? claims.email : undefined,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }
}
