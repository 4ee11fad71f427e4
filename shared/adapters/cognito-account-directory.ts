// AccountDirectory on a Cognito user pool: an admin-created user with a permanent password (no invitation e-mail),
// its e-mail marked verified, and its role's group.
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  InvalidPasswordException,
  UsernameExistsException,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { InvalidInput } from '../errors.js';
import type { AccountDirectory } from '../profiles/sign-up.js';
import { reportUnavailable } from './aws-unavailable.js';

export class CognitoAccountDirectory implements AccountDirectory {
  constructor(
    private readonly idp: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {
    reportUnavailable(idp, 'Cognito');
  }

  async createAccount(a: { email: string; password: string; group: string }) {
    let userId: string;
    try {
      const out = await this.idp.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: a.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: a.email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      userId = out.User?.Attributes?.find((x) => x.Name === 'sub')?.Value ?? '';
      if (!userId) throw new Error('Cognito created a user without a sub');
    } catch (err) {
      if (err instanceof UsernameExistsException) return { kind: 'exists' as const };
      throw err;
    }
    try {
      await this.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: a.email, Password: a.password, Permanent: true }));
      await this.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: a.email, GroupName: a.group }));
    } catch (err) {
      // A half-made account (no password, or no role) would block the e-mail for good: take it back, then report.
      await this.idp.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: a.email })).catch(() => undefined);
      if (err instanceof InvalidPasswordException) throw new InvalidInput(`The password is not accepted: ${err.message.replace(/^.*?:\s*/, '')}`);
      throw err;
    }
    return { kind: 'created' as const, userId };
  }
}
