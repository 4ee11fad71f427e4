// Use case: someone opens an account from the web app and picks the role they came for. Admin and partner accounts
// are never self-made: admins create them.
import { z } from 'zod';
import { Conflict } from '../errors.js';
import type { ProfileStore } from './profile.js';

export const selfServiceRoles = ['designer', 'customer', 'printer'] as const;

export const SignUpInput = z.strictObject({
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  // Cognito's pool policy (infra/constructs/user-pool.ts) has the last word; this only spares a round trip.
  password: z.string().min(12).max(256),
  role: z.enum(selfServiceRoles),
  displayName: z.string().trim().min(1).max(80),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

/** Where accounts live: the Cognito user pool. */
export interface AccountDirectory {
  /**
   * Creates a confirmed account with this password in the role's group. Answers `exists` when the e-mail already has
   * an account, without telling whether the password matched.
   */
  createAccount(a: { email: string; password: string; group: string }): Promise<{ kind: 'created'; userId: string } | { kind: 'exists' }>;
}

export interface SignUpDeps {
  accounts: AccountDirectory;
  profiles: ProfileStore;
  now: () => Date;
}

export async function signUp(input: SignUpInput, deps: SignUpDeps): Promise<{ userId: string; role: SignUpInput['role'] }> {
  const made = await deps.accounts.createAccount({ email: input.email, password: input.password, group: input.role });
  if (made.kind === 'exists') throw new Conflict('An account with this e-mail already exists. Log in instead.');
  // A profile written twice (a retried request after the account was made) is refused by its version, harmlessly.
  await deps.profiles.put({ userId: made.userId, displayName: input.displayName, updatedAt: deps.now().toISOString(), version: 1 }, 0);
  return { userId: made.userId, role: input.role };
}
