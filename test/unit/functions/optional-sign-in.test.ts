// The HTTP edge's optional sign-in on a public route: API Gateway passes the Authorization header through unchecked,
// so httpRoute checks it; a missing header is anonymous, a token that does not verify is anonymous with
// `rejectedToken` (never an error), and on a route behind the JWT authorizer only the authorizer's claims count.
import { describe, expect, it } from 'vitest';
import { httpRoute, type Caller } from '../../../functions/lib/http.js';
import type { SignIns } from '../../../shared/platform/sign-ins.js';

const signIns: SignIns = {
  userOf: async (token) => (token === 'good' ? { userId: 'u-1', username: 'ada', groups: ['customer', 'not-a-group'] } : undefined),
};

const seen: Caller[] = [];
const handler = httpRoute({ optionalSignIn: signIns, run: async ({ caller }) => (seen.push(caller), { body: { ok: true } }) });

const call = async (routeKey: string, headers: Record<string, string>, claims?: Record<string, string>) => {
  const event = { routeKey, rawPath: '/', headers, requestContext: claims ? { authorizer: { jwt: { claims } } } : {} };
  const res = (await handler(event as never, {} as never)) as { statusCode: number };
  return { status: res.statusCode, caller: seen.at(-1) };
};

describe('an optional sign-in on a public route', () => {
  const route = 'GET /01/{gtin}/21/{serial}';

  it('is anonymous without a token, the user with a valid one, and anonymous with rejectedToken otherwise', async () => {
    expect(await call(route, {})).toEqual({ status: 200, caller: { kind: 'anonymous' } });
    expect(await call(route, { authorization: 'Bearer good' })).toEqual({ status: 200, caller: { kind: 'user', userId: 'u-1', username: 'ada', email: undefined, groups: ['customer'] } });
    expect(await call(route, { authorization: 'Bearer forged' })).toEqual({ status: 200, caller: { kind: 'anonymous', rejectedToken: true } });
    expect(await call(route, { authorization: 'Basic Z29vZA==' })).toEqual({ status: 200, caller: { kind: 'anonymous', rejectedToken: true } });
  });

  it('is not consulted on a route behind the JWT authorizer', async () => {
    expect((await call('GET /me', { authorization: 'Bearer good' })).status).toBe(401);
    const viaAuthorizer = await call('GET /me', { authorization: 'Bearer forged' }, { sub: 'u-2', 'cognito:groups': '[designer]' });
    expect(viaAuthorizer).toMatchObject({ status: 200, caller: { kind: 'user', userId: 'u-2', groups: ['designer'] } });
  });
});
