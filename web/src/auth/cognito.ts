// Signing in against the Cognito user pool with the AWS SDK (USER_PASSWORD_AUTH, then refresh tokens). Loaded only
// when someone signs in or a token needs refreshing, so the public product page never downloads it.
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { config } from '../config';

export interface Tokens {
  idToken: string;
  refreshToken: string;
  /** Epoch ms at which the id token expires. */
  expiresAt: number;
}

let client: CognitoIdentityProviderClient | undefined;
function idp(): CognitoIdentityProviderClient {
  const c = config();
  // InitiateAuth is an unsigned call: the SDK needs no AWS credentials for it, only a region and the endpoint.
  client ??= new CognitoIdentityProviderClient({
    region: c.region,
    endpoint: c.cognitoEndpoint,
    credentials: { accessKeyId: 'unsigned', secretAccessKey: 'unsigned' },
  });
  return client;
}

export class SignInRefused extends Error {}

const wrongCredentials = new Set(['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException']);

export async function signIn(email: string, password: string): Promise<Tokens> {
  try {
    const out = await idp().send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: config().userPoolClientId, AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    const r = out.AuthenticationResult;
    if (!r?.IdToken || !r.RefreshToken) throw new SignInRefused(out.ChallengeName ? `This account needs a step the web app does not support yet (${out.ChallengeName}).` : 'Signing in failed. Try again.');
    return { idToken: r.IdToken, refreshToken: r.RefreshToken, expiresAt: Date.now() + (r.ExpiresIn ?? 3600) * 1000 };
  } catch (err) {
    // Cognito refuses a disabled account with NotAuthorizedException "User is disabled." (so does the local gate).
    if ((err as Error).name === 'NotAuthorizedException' && /disabled/i.test((err as Error).message)) {
      throw new SignInRefused('This account is disabled. Ask an admin of the platform to enable it again.');
    }
    // Cognito answers a wrong password with NotAuthorizedException; cognito-local with InvalidPasswordException.
    if (wrongCredentials.has((err as Error).name)) throw new SignInRefused('The e-mail or the password is wrong.');
    if (err instanceof SignInRefused) throw err;
    throw new SignInRefused('The sign-in service could not be reached. Try again in a moment.');
  }
}

export async function refresh(refreshToken: string): Promise<Tokens> {
  const out = await idp().send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: config().userPoolClientId, AuthParameters: { REFRESH_TOKEN: refreshToken } }));
  const r = out.AuthenticationResult;
  if (!r?.IdToken) throw new SignInRefused('Your session has ended. Log in again.');
  return { idToken: r.IdToken, refreshToken: r.RefreshToken ?? refreshToken, expiresAt: Date.now() + (r.ExpiresIn ?? 3600) * 1000 };
}
