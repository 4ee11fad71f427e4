// A participant's own profile: what they choose to show. Personal data lives here, never on the ledger.
import { z } from 'zod';

export const ProfileInput = z.strictObject({
  displayName: z.string().trim().min(1).max(80),
  bio: z.string().max(1000).optional(),
  location: z.string().max(120).optional(),
});
export type ProfileInput = z.infer<typeof ProfileInput>;

export interface Profile extends ProfileInput {
  userId: string;
  updatedAt: string;
  version: number;
}

export interface ProfileStore {
  get(userId: string): Promise<Profile | undefined>;
  /** Writes only if the stored version is `expectedVersion` (0 = none yet); returns false on a lost race. */
  put(profile: Profile, expectedVersion: number): Promise<boolean>;
}
