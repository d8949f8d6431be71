// Who is signed in: per service, the key's identity (GET /v1/auth/self) and its permissions.
// Keys live in sessionStorage only (api/keys.ts); signing out clears them.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, SERVICES, api } from './api/client';
import type { Service } from './api/client';
import { clearKeys, getKeys, setKeys } from './api/keys';
import type { AuthSelf } from './api/types';
import { isPermitted } from './lib/permissions';

export interface Connection {
  service: Service;
  self: AuthSelf;
}

export type Connections = Partial<Record<Service, Connection>>;

export interface SignInResult {
  /** Services that accepted the key. */
  accepted: Service[];
  /** Services that refused it, with why. */
  refused: { service: Service; error: ApiError }[];
}

export interface Session {
  /** `restoring` while keys kept in sessionStorage are checked again after a reload. */
  status: 'restoring' | 'signed-out' | 'signed-in';
  connections: Connections;
  /** Whether the key held for `service` may call `method path` (path concrete or {param}). */
  can: (service: Service, method: string, path: string) => boolean;
  role: (service: Service) => string | undefined;
  /** The unit a scoped (unit_manager) key is bound to, on that service. */
  scopeUnitId: (service: Service) => string | null | undefined;
  /**
   * Tries the key on every service. Keeps it for those that accept it (replacing the key held
   * for them). Throws the first ApiError when no service accepts it.
   */
  signIn: (key: string) => Promise<SignInResult>;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

async function probe(key: string): Promise<{ connections: Connections } & SignInResult> {
  const answers = await Promise.all(
    SERVICES.map(async (service) => {
      try {
        const self = await api<AuthSelf>(service, '/v1/auth/self', { key });
        return { service, self } as const;
      } catch (error) {
        const apiError =
          error instanceof ApiError
            ? error
            : new ApiError(0, 'CONSOLE.UNEXPECTED', String(error), { service });
        return { service, error: apiError } as const;
      }
    }),
  );
  const connections: Connections = {};
  const accepted: Service[] = [];
  const refused: SignInResult['refused'] = [];
  for (const answer of answers) {
    if (answer.self) {
      connections[answer.service] = { service: answer.service, self: answer.self };
      accepted.push(answer.service);
    } else if (answer.error) {
      refused.push({ service: answer.service, error: answer.error });
    }
  }
  return { connections, accepted, refused };
}

/** The most telling refusal: a key problem (401/403) before an unreachable service. */
export function mainRefusal(refused: SignInResult['refused']): ApiError {
  const byStatus = [...refused].sort((a, b) => rank(a.error) - rank(b.error));
  return (
    byStatus[0]?.error ?? new ApiError(401, 'AUTH.UNAUTHENTICATED', 'The key was not accepted.')
  );
}

function rank(error: ApiError): number {
  if (error.status === 401 || error.status === 403) return 0;
  if (error.status >= 400 && error.status < 500) return 1;
  return 2;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [connections, setConnections] = useState<Connections>({});
  const [status, setStatus] = useState<Session['status']>(() =>
    Object.keys(getKeys()).length > 0 ? 'restoring' : 'signed-out',
  );

  // After a reload: check the kept keys again (a revoked key drops out).
  useEffect(() => {
    if (status !== 'restoring') return;
    let cancelled = false;
    const kept = getKeys();
    void Promise.all(
      SERVICES.map(async (service) => {
        const key = kept[service];
        if (!key) return null;
        try {
          const self = await api<AuthSelf>(service, '/v1/auth/self', { key });
          return { service, self };
        } catch {
          return null;
        }
      }),
    ).then((answers) => {
      if (cancelled) return;
      const restored: Connections = {};
      const keys: Partial<Record<Service, string>> = {};
      for (const answer of answers) {
        if (!answer) continue;
        restored[answer.service] = answer;
        const key = kept[answer.service];
        if (key) keys[answer.service] = key;
      }
      setKeys(keys);
      setConnections(restored);
      setStatus(Object.keys(restored).length > 0 ? 'signed-in' : 'signed-out');
    });
    return () => {
      cancelled = true;
    };
  }, [status]);

  const signIn = useCallback(async (key: string): Promise<SignInResult> => {
    const trimmed = key.trim();
    if (!trimmed) {
      throw new ApiError(0, 'CONSOLE.KEY_REQUIRED', 'Enter an API key.');
    }
    const result = await probe(trimmed);
    if (result.accepted.length === 0) throw mainRefusal(result.refused);
    const keys = { ...getKeys() };
    for (const service of result.accepted) keys[service] = trimmed;
    setKeys(keys);
    setConnections((previous) => ({ ...previous, ...result.connections }));
    setStatus('signed-in');
    return { accepted: result.accepted, refused: result.refused };
  }, []);

  const signOut = useCallback(() => {
    clearKeys();
    setConnections({});
    setStatus('signed-out');
  }, []);

  const session = useMemo<Session>(
    () => ({
      status,
      connections,
      can: (service, method, path) =>
        isPermitted(connections[service]?.self.permissions, method, path),
      role: (service) => connections[service]?.self.role,
      scopeUnitId: (service) => connections[service]?.self.scopeUnitId,
      signIn,
      signOut,
    }),
    [status, connections, signIn, signOut],
  );

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
