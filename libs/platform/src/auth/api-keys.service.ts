import { Inject, Injectable, Optional } from '@nestjs/common';
import { PlafondError } from '../errors/plafond-error';
import { JsonLogger } from '../logging/json-logger';
import { Principal } from './access';
import { generateApiKey, hashSecret } from './api-key';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyRecord, ApiKeyStore, isUniqueViolation } from './api-key.store';
import { AUTH_OPTIONS, ResolvedAuthOptions, SCOPE_VALIDATOR, ScopeValidator } from './auth-options';

/** Codes of the key management endpoints (AUTH.* are the guard's, in PlatformErrorCode). */
export const ApiKeyErrorCode = {
  notFound: 'APIKEY.NOT_FOUND',
  roleUnknown: 'APIKEY.ROLE_UNKNOWN',
  scopeRequired: 'APIKEY.SCOPE_REQUIRED',
  scopeNotAllowed: 'APIKEY.SCOPE_NOT_ALLOWED',
} as const;

/** A key as listed: everything but the secret (which is never stored) and its hash. */
export interface ApiKeyView {
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  readonly scopeUnitId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}

/** The answer to a creation: the only time the whole key is shown. */
export interface CreatedApiKeyView extends ApiKeyView {
  readonly key: string;
}

export interface ApiKeyPage {
  readonly items: readonly ApiKeyView[];
  /** Pass as `after` for the next page; null on the last one. */
  readonly nextAfter: string | null;
}

export interface CreateApiKeyInput {
  readonly name: string;
  readonly role: string;
  readonly scopeUnitId?: string | null;
}

export function apiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    keyId: record.keyId,
    name: record.name,
    role: record.role,
    scopeUnitId: record.scopeUnitId,
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt === null ? null : record.revokedAt.toISOString(),
    revokedBy: record.revokedBy,
  };
}

/** `<role>:<keyId>`, the audit identity of a key (same as the apps' event metadata actor). */
export function principalActor(principal: Principal): string {
  return `${principal.role}:${principal.keyId}`;
}

const keyIdAttempts = 3;

/** Creating, listing and revoking keys: what the /v1/api-keys endpoints delegate to. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly logger: JsonLogger,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Optional() @Inject(SCOPE_VALIDATOR) private readonly scopeValidator?: ScopeValidator,
  ) {}

  async create(creator: Principal, input: CreateApiKeyInput): Promise<CreatedApiKeyView> {
    const scopeUnitId = input.scopeUnitId ?? null;
    await this.checkRoleAndScope(input.role, scopeUnitId);
    for (let attempt = 1; ; attempt += 1) {
      const generated = generateApiKey();
      try {
        const record = await this.store.create({
          keyId: generated.keyId,
          name: input.name,
          role: input.role,
          scopeUnitId,
          secretSha256: hashSecret(generated.secret),
          createdBy: principalActor(creator),
        });
        this.logger.write(
          'info',
          'API key created',
          { keyId: record.keyId, role: record.role, scopeUnitId, createdBy: record.createdBy },
          'Auth',
        );
        return { ...apiKeyView(record), key: generated.key };
      } catch (error) {
        // A drawn id already taken (about one chance in 10^18 per key): draw again, bounded.
        if (!isUniqueViolation(error) || attempt >= keyIdAttempts) throw error;
      }
    }
  }

  async list(options: {
    includeRevoked: boolean;
    limit: number;
    after?: string;
  }): Promise<ApiKeyPage> {
    const records = await this.store.list(options);
    const last = records.at(-1);
    return {
      items: records.map(apiKeyView),
      nextAfter: records.length === options.limit && last !== undefined ? last.keyId : null,
    };
  }

  /** Idempotent; APIKEY.NOT_FOUND (404) for an unknown key id. */
  async revoke(revoker: Principal, keyId: string): Promise<ApiKeyView> {
    const record = await this.store.revoke(keyId, principalActor(revoker));
    this.authenticator.forget(keyId);
    if (record === undefined) {
      throw new PlafondError(
        ApiKeyErrorCode.notFound,
        `No API key has the id "${keyId}".`,
        { keyId },
        404,
      );
    }
    this.logger.write(
      'info',
      'API key revoked',
      { keyId, revokedBy: record.revokedBy, revokedAt: record.revokedAt },
      'Auth',
    );
    return apiKeyView(record);
  }

  private async checkRoleAndScope(role: string, scopeUnitId: string | null): Promise<void> {
    const { roles, scopedRoles } = this.options;
    if (!roles.includes(role)) {
      throw new PlafondError(
        ApiKeyErrorCode.roleUnknown,
        `This service has no role "${role}".`,
        { role, roles: [...roles] },
        400,
      );
    }
    const scoped = scopedRoles.includes(role);
    if (scoped && scopeUnitId === null) {
      throw new PlafondError(
        ApiKeyErrorCode.scopeRequired,
        `A "${role}" key is bound to a unit: give scopeUnitId.`,
        { role, scopedRoles: [...scopedRoles] },
        400,
      );
    }
    if (!scoped && scopeUnitId !== null) {
      throw new PlafondError(
        ApiKeyErrorCode.scopeNotAllowed,
        `A "${role}" key is not bound to a unit: leave scopeUnitId out.`,
        { role, scopedRoles: [...scopedRoles] },
        400,
      );
    }
    if (scopeUnitId !== null && this.scopeValidator !== undefined) {
      await this.scopeValidator(scopeUnitId);
    }
  }
}
