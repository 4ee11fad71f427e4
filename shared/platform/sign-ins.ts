// Who is signed in where signing in is optional (a public route): a bearer token checked against the user pool.

export interface SignedInUser {
  userId: string;
  username: string;
  email?: string;
  /** As the token's `cognito:groups` claim lists them. */
  groups: string[];
}

export interface SignIns {
  /** The token's user, or undefined when the token is not valid now (forged, altered, expired, another pool). */
  userOf(token: string): Promise<SignedInUser | undefined>;
}

/** The token of an `Authorization: Bearer <token>` header, as API Gateway's JWT authorizer reads it. */
export const bearerToken = (header: string | undefined): string | undefined => /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1];
