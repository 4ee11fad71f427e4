// User management for admins: who has an account, in which role, and whether they may still sign in.
// The rule that matters: an admin cannot demote or disable themselves, so the platform never loses its last way in
// by one click of the only admin.
import { z } from 'zod';
import { userGroups, type UserGroup } from '../../infra/platform.js';
import { NotFound, RuleViolation } from '../errors.js';

/** One account as the admin pages show it. `roles` are the Cognito groups the platform knows. */
export interface ManagedUser {
  username: string;
  userId: string;
  email: string;
  roles: UserGroup[];
  enabled: boolean;
  /** Cognito's account status (CONFIRMED, FORCE_CHANGE_PASSWORD, …). */
  status: string;
  createdAt?: string;
}

/** The user pool, as user management needs it. */
export interface UserDirectory {
  /** Every account whose e-mail starts with `emailPrefix` (all of them without one), at most `limit`. */
  list(opts: { emailPrefix?: string; limit: number }): Promise<ManagedUser[]>;
  get(username: string): Promise<ManagedUser | undefined>;
  addToGroup(username: string, group: UserGroup): Promise<void>;
  removeFromGroup(username: string, group: UserGroup): Promise<void>;
  setEnabled(username: string, enabled: boolean): Promise<void>;
}

export const ListUsersQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(60).default(60),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

export const ChangeRoleInput = z.strictObject({ role: z.enum(userGroups) });

/** The admin doing it; `username` is theirs in the user pool (the token's cognito:username). */
export interface Acting {
  username: string;
  userId: string;
}

function isSelf(actor: Acting, target: ManagedUser): boolean {
  return target.username === actor.username || target.userId === actor.userId;
}

/** Pure: may `actor` give `target` the role `role`? An admin keeps their own admin role. */
export function decideRoleChange(actor: Acting, target: ManagedUser, role: UserGroup): { add: UserGroup[]; remove: UserGroup[] } {
  if (isSelf(actor, target) && role !== 'admin') {
    throw new RuleViolation('You cannot remove your own admin role. Ask another admin to do it.');
  }
  return { add: target.roles.includes(role) ? [] : [role], remove: target.roles.filter((r) => r !== role) };
}

/** Pure: may `actor` disable `target`? Never themselves. */
export function decideEnabled(actor: Acting, target: ManagedUser, enabled: boolean): void {
  if (!enabled && isSelf(actor, target)) throw new RuleViolation('You cannot disable your own account. Ask another admin to do it.');
}

async function existing(directory: UserDirectory, username: string): Promise<ManagedUser> {
  const u = await directory.get(username);
  if (!u) throw new NotFound(`No account ${username}`);
  return u;
}

export async function listUsers(input: ListUsersQuery, deps: { directory: UserDirectory }) {
  const users = await deps.directory.list({ emailPrefix: input.q || undefined, limit: input.limit });
  return { users: users.sort((a, b) => a.email.localeCompare(b.email)) };
}

/** One role per account, as sign-up gives: the new role is added before the old ones go, so no moment has none. */
export async function changeUserRole(input: { actor: Acting; username: string; role: UserGroup }, deps: { directory: UserDirectory }): Promise<ManagedUser> {
  const target = await existing(deps.directory, input.username);
  const change = decideRoleChange(input.actor, target, input.role);
  for (const g of change.add) await deps.directory.addToGroup(target.username, g);
  for (const g of change.remove) await deps.directory.removeFromGroup(target.username, g);
  return existing(deps.directory, target.username);
}

export async function setUserEnabled(input: { actor: Acting; username: string; enabled: boolean }, deps: { directory: UserDirectory }): Promise<ManagedUser> {
  const target = await existing(deps.directory, input.username);
  decideEnabled(input.actor, target, input.enabled);
  if (target.enabled !== input.enabled) await deps.directory.setEnabled(target.username, input.enabled);
  return existing(deps.directory, target.username);
}
