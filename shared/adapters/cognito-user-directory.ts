// UserDirectory on a Cognito user pool: ListUsers (with an e-mail prefix filter), each user's groups, group
// membership and AdminDisableUser/AdminEnableUser. The same calls run against cognito-local, which lacks paging
// (it returns every user at once and ignores Limit) and AdminUserGlobalSignOut.
import {
  AdminAddUserToGroupCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  ListUsersCommand,
  UserNotFoundException,
  type AttributeType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserGroup } from '../../infra/platform.js';
import type { ManagedUser, UserDirectory } from '../admin/users.js';
import { reportUnavailable } from './aws-unavailable.js';

const attr = (attrs: AttributeType[] | undefined, name: string) => attrs?.find((a) => a.Name === name)?.Value;

export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly idp: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly knownGroups: readonly UserGroup[],
  ) {
    reportUnavailable(idp, 'Cognito');
  }

  private async rolesOf(username: string): Promise<UserGroup[]> {
    const out = await this.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: username, Limit: 60 }));
    return (out.Groups ?? []).map((g) => g.GroupName as UserGroup).filter((g) => this.knownGroups.includes(g));
  }

  async list(opts: { emailPrefix?: string; limit: number }): Promise<ManagedUser[]> {
    const users: ManagedUser[] = [];
    let token: string | undefined;
    // Cognito's filter grammar takes the value in double quotes; a quote or backslash in the search cannot be escaped.
    const prefix = opts.emailPrefix?.replace(/["\\]/g, '');
    do {
      const page = await this.idp.send(
        new ListUsersCommand({ UserPoolId: this.userPoolId, Limit: Math.min(60, opts.limit - users.length), PaginationToken: token, ...(prefix ? { Filter: `email ^= "${prefix}"` } : {}) }),
      );
      for (const u of page.Users ?? []) {
        if (users.length >= opts.limit) break;
        users.push({
          username: u.Username!,
          userId: attr(u.Attributes, 'sub') ?? u.Username!,
          email: attr(u.Attributes, 'email') ?? u.Username!,
          roles: [],
          enabled: u.Enabled !== false,
          status: u.UserStatus ?? 'UNKNOWN',
          createdAt: u.UserCreateDate?.toISOString(),
        });
      }
      token = page.PaginationToken;
    } while (token && users.length < opts.limit);
    // One AdminListGroupsForUser per user: ListUsers does not return groups. A handful at a time keeps under
    // Cognito's request rate for admin reads.
    for (let i = 0; i < users.length; i += 5) {
      await Promise.all(users.slice(i, i + 5).map(async (u) => (u.roles = await this.rolesOf(u.username))));
    }
    return users;
  }

  async get(username: string): Promise<ManagedUser | undefined> {
    try {
      const u = await this.idp.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }));
      return {
        username: u.Username!,
        userId: attr(u.UserAttributes, 'sub') ?? u.Username!,
        email: attr(u.UserAttributes, 'email') ?? u.Username!,
        roles: await this.rolesOf(u.Username!),
        enabled: u.Enabled !== false,
        status: u.UserStatus ?? 'UNKNOWN',
        createdAt: u.UserCreateDate?.toISOString(),
      };
    } catch (err) {
      if (err instanceof UserNotFoundException) return undefined;
      throw err;
    }
  }

  async addToGroup(username: string, group: UserGroup) {
    await this.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: group }));
  }

  async removeFromGroup(username: string, group: UserGroup) {
    await this.idp.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: group }));
  }

  async setEnabled(username: string, enabled: boolean) {
    await this.idp.send(enabled ? new AdminEnableUserCommand({ UserPoolId: this.userPoolId, Username: username }) : new AdminDisableUserCommand({ UserPoolId: this.userPoolId, Username: username }));
  }
}
