// Who is signed in, for every page: the id token's claims (the API checks the token itself; the app only uses the
// claims to choose what to show), kept in localStorage so a reload keeps the session.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { call, setTokenSource } from '../api/client';
import type { Tokens } from './cognito';

export type Role = 'designer' | 'customer' | 'printer' | 'admin' | 'partner';

export interface SessionUser {
  userId: string;
  email: string;
  roles: Role[];
}

interface SessionValue {
  user: SessionUser | undefined;
  login(email: string, password: string): Promise<SessionUser>;
  signup(input: { email: string; password: string; role: 'designer' | 'customer' | 'printer'; displayName: string }): Promise<SessionUser>;
  logout(): void;
}

const storageKey = 'dpm.session';
const Ctx = createContext<SessionValue | undefined>(undefined);

function decode(idToken: string): SessionUser {
  const part = idToken.split('.')[1] ?? '';
  const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  const groups = json['cognito:groups'];
  return { userId: String(json.sub), email: String(json.email ?? json['cognito:username'] ?? ''), roles: (Array.isArray(groups) ? groups : []) as Role[] };
}

function stored(): Tokens | undefined {
  try {
    const t = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as Tokens | null;
    return t?.idToken && t.refreshToken ? t : undefined;
  } catch {
    return undefined;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [tokens, setTokens] = useState<Tokens | undefined>(stored);
  const user = useMemo(() => (tokens ? decode(tokens.idToken) : undefined), [tokens]);

  const save = useCallback((t: Tokens | undefined) => {
    if (t) localStorage.setItem(storageKey, JSON.stringify(t));
    else localStorage.removeItem(storageKey);
    setTokens(t);
  }, []);

  // Plugged in while rendering, not in an effect: a page's effects run before its provider's, so a page that calls the
  // API on mount after a reload would call without the token, and the 401 would then end the session.
  useMemo(() => {
    let refreshing: Promise<Tokens | undefined> | undefined;
    setTokenSource(
      async () => {
        const t = stored();
        if (!t) return undefined;
        if (t.expiresAt - Date.now() > 60_000) return t.idToken;
        // One refresh for all the calls that find the token about to expire.
        refreshing ??= import('./cognito')
          .then((m) => m.refresh(t.refreshToken))
          .then((n) => (save(n), n))
          .catch(() => (save(undefined), undefined))
          .finally(() => (refreshing = undefined));
        return (await refreshing)?.idToken;
      },
      () => save(undefined),
    );
  }, [save]);

  useEffect(() => {
    // Another tab signing in or out.
    const onStorage = (e: StorageEvent) => e.key === storageKey && setTokens(stored());
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [save]);

  const login = useCallback(
    async (email: string, password: string) => {
      const { signIn } = await import('./cognito');
      const t = await signIn(email, password);
      save(t);
      return decode(t.idToken);
    },
    [save],
  );

  const signup = useCallback<SessionValue['signup']>(
    async (input) => {
      await call('POST /signup', { body: input });
      return login(input.email, input.password);
    },
    [login],
  );

  const logout = useCallback(() => save(undefined), [save]);
  const value = useMemo(() => ({ user, login, signup, logout }), [user, login, signup, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function hasRole(user: SessionUser | undefined, ...roles: Role[]): boolean {
  return !!user && user.roles.some((r) => roles.includes(r));
}
