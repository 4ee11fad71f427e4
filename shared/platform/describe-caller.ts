// Use case: who is calling, with the profile they chose to show.
import { Unauthenticated } from '../errors.js';
import type { Profile, ProfileStore } from '../profiles/profile.js';

export type Identity = { kind: 'anonymous' } | { kind: 'user'; userId: string; username: string; email?: string; groups: readonly string[] };

export interface CallerView {
  userId: string;
  username: string;
  email?: string;
  roles: readonly string[];
  profile: Profile | null;
}

export async function describeCaller(caller: Identity, deps: { profiles: ProfileStore }): Promise<CallerView> {
  if (caller.kind !== 'user') throw new Unauthenticated('A valid bearer token is required');
  const profile = (await deps.profiles.get(caller.userId)) ?? null;
  return { userId: caller.userId, username: caller.username, email: caller.email, roles: caller.groups, profile };
}
