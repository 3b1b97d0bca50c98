import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, loadSession, onUnauthorized, storeSession, type StoredSession } from '../api/client.ts';

interface SessionValue {
  session: StoredSession | null;
  /** why the last session ended, to tell the person on the sign-in screen */
  ended: 'expired' | null;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StoredSession | null>(loadSession);
  const [ended, setEnded] = useState<'expired' | null>(null);

  useEffect(() => {
    onUnauthorized(() => {
      storeSession(null);
      setSession(null);
      setEnded('expired');
    });
    return () => onUnauthorized(null);
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    const r = await api<StoredSession & { tokenType: string }>('/api/v1/auth/login', { method: 'POST', body: { username, password }, token: null });
    const s: StoredSession = { token: r.token, expiresAt: r.expiresAt, user: r.user };
    storeSession(s);
    setEnded(null);
    setSession(s);
  }, []);

  const signOut = useCallback(async () => {
    const s = loadSession();
    storeSession(null);
    setSession(null);
    setEnded(null);
    if (s) await api('/api/v1/auth/logout', { method: 'POST', token: s.token }).catch(() => undefined);
  }, []);

  const value = useMemo(() => ({ session, ended, signIn, signOut }), [session, ended, signIn, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
