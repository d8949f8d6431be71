import { Inject, Injectable } from '@nestjs/common';
import { Principal } from './access';
import { parseApiKey, secretMatches } from './api-key';
import { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import { AUTH_OPTIONS, ResolvedAuthOptions } from './auth-options';
import { VerifiedKeyCache } from './verified-key-cache';

export const API_KEY_HEADER = 'x-api-key';

export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Why a request was not authenticated: for logs only, never for the client. */
export type AuthenticationFailure =
  'missing' | 'ambiguous' | 'malformed' | 'unknown' | 'revoked' | 'secret_mismatch';

export type AuthenticationResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: AuthenticationFailure; readonly keyId?: string };

const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The key a request presents: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. Both at once
 * must agree. `null` when the headers are there but unusable (another scheme, repeated header).
 */
export function presentedKey(headers: IncomingHeaders): string | null | undefined {
  const authorization = headers.authorization;
  const apiKey = headers[API_KEY_HEADER];
  if (authorization === undefined && apiKey === undefined) return undefined;
  if (typeof authorization !== 'string' && authorization !== undefined) return null;
  if (typeof apiKey !== 'string' && apiKey !== undefined) return null;
  const fromAuthorization =
    authorization === undefined ? undefined : (bearer.exec(authorization)?.[1] ?? null);
  if (fromAuthorization === null) return null;
  if (fromAuthorization !== undefined && apiKey !== undefined && apiKey !== fromAuthorization) {
    return null;
  }
  return fromAuthorization ?? apiKey;
}

export function principalOf(record: ApiKeyRecord): Principal {
  return {
    keyId: record.keyId,
    name: record.name,
    role: record.role,
    scopeUnitId: record.scopeUnitId,
  };
}

/**
 * Turns a presented key into a principal: parse, look the key id up (verified-key cache, else the
 * table, one read per key id at a time), compare the secret's hash in constant time.
 */
@Injectable()
export class ApiKeyAuthenticator {
  readonly cache: VerifiedKeyCache;
  private readonly pending = new Map<string, Promise<ApiKeyRecord | undefined>>();

  constructor(
    private readonly store: ApiKeyStore,
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
  ) {
    this.cache = new VerifiedKeyCache({ ttlMs: options.verifiedKeyCacheTtlMs });
  }

  async authenticate(headers: IncomingHeaders): Promise<AuthenticationResult> {
    const presented = presentedKey(headers);
    if (presented === undefined) return { ok: false, reason: 'missing' };
    if (presented === null) return { ok: false, reason: 'ambiguous' };
    const parsed = parseApiKey(presented);
    if (parsed === undefined) return { ok: false, reason: 'malformed' };
    const { keyId } = parsed;
    const cached = this.cache.get(keyId);
    if (cached !== undefined && secretMatches(parsed.secret, cached.secretSha256)) {
      return { ok: true, principal: principalOf(cached) };
    }
    const generation = this.cache.currentGeneration();
    const record = await this.lookUp(keyId);
    if (record === undefined) return { ok: false, reason: 'unknown', keyId };
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked', keyId };
    if (!secretMatches(parsed.secret, record.secretSha256)) {
      return { ok: false, reason: 'secret_mismatch', keyId };
    }
    this.cache.set(record, generation);
    return { ok: true, principal: principalOf(record) };
  }

  /** Forgets a key locally (after revoking it here). */
  forget(keyId: string): void {
    this.cache.delete(keyId);
  }

  private lookUp(keyId: string): Promise<ApiKeyRecord | undefined> {
    const inFlight = this.pending.get(keyId);
    if (inFlight !== undefined) return inFlight;
    const lookup = this.store.findByKeyId(keyId).finally(() => this.pending.delete(keyId));
    this.pending.set(keyId, lookup);
    return lookup;
  }
}
