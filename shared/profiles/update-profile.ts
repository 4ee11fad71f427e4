// Use case: a participant edits their profile. Optimistic concurrency keeps two tabs from losing an edit silently.
import { Conflict } from '../errors.js';
import type { Profile, ProfileInput, ProfileStore } from './profile.js';

export interface UpdateProfileDeps {
  profiles: ProfileStore;
  now: () => Date;
}

export async function updateProfile(input: { userId: string; profile: ProfileInput }, deps: UpdateProfileDeps): Promise<Profile> {
  const current = await deps.profiles.get(input.userId);
  const expected = current?.version ?? 0;
  // Re-sending the same edit (a retried request) changes nothing and answers as before.
  if (current && sameContent(current, input.profile)) return current;
  const next: Profile = { ...input.profile, userId: input.userId, updatedAt: deps.now().toISOString(), version: expected + 1 };
  if (!(await deps.profiles.put(next, expected))) throw new Conflict('The profile was changed concurrently; reload and try again');
  return next;
}

function sameContent(a: ProfileInput, b: ProfileInput): boolean {
  return a.displayName === b.displayName && a.bio === b.bio && a.location === b.location;
}
