import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { quoteIdentifier } from '../database/data-source';
import { ADMIN_ROLE } from './access';
import { hashSecret, ParsedApiKey } from './api-key';
import { API_KEYS_TABLE, BOOTSTRAP_ACTOR, BOOTSTRAP_KEY_NAME } from './api-key.schema';

/** The schema holding `api_keys` (the service's DATABASE_SCHEMA). */
export const API_KEY_SCHEMA = Symbol('plafond.auth.API_KEY_SCHEMA');

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  readonly scopeUnitId: string | null;
  readonly secretSha256: Buffer;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
}

export interface NewApiKey {
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  readonly scopeUnitId: string | null;
  readonly secretSha256: Buffer;
  readonly createdBy: string;
}

export interface ApiKeyListOptions {
  readonly includeRevoked: boolean;
  /** 1 to 1000. */
  readonly limit: number;
  /** Key ids after this one (the list is ordered by key id). */
  readonly after?: string;
}

export type BootstrapKeyOutcome =
  /** ADMIN_API_KEY's key is active; `revoked` lists earlier bootstrap keys revoked now. */
  | { readonly status: 'installed'; readonly keyId: string; readonly revoked: readonly string[] }
  /** ADMIN_API_KEY is unset; every bootstrap key is revoked. */
  | { readonly status: 'none'; readonly revoked: readonly string[] }
  /** The key was revoked through the API: it stays revoked, set a new ADMIN_API_KEY. */
  | {
      readonly status: 'refused_revoked';
      readonly keyId: string;
      readonly revoked: readonly string[];
    }
  /** Another key (created through the API) has this key id: nothing installed. */
  | {
      readonly status: 'refused_conflict';
      readonly keyId: string;
      readonly revoked: readonly string[];
    };

interface ApiKeyRow {
  key_id: string;
  name: string;
  role: string;
  scope_unit_id: string | null;
  secret_sha256: Buffer;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const columns =
  'key_id, name, role, scope_unit_id, secret_sha256, created_by, created_at, revoked_at, revoked_by';
const maxListLimit = 1000;

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyId: row.key_id,
    name: row.name,
    role: row.role,
    scopeUnitId: row.scope_unit_id,
    secretSha256: row.secret_sha256,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

/** SQLSTATE 23505 on the primary key: the drawn key id is taken. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: unknown } }).driverError;
  return (error as { code?: unknown }).code === '23505' || driverError?.code === '23505';
}

/**
 * The `api_keys` table, through the service's TypeORM DataSource. UPDATEs are wrapped in a CTE so
 * every statement answers plain rows (TypeORM returns `[rows, count]` for a bare UPDATE).
 */
@Injectable()
export class ApiKeyStore {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(API_KEY_SCHEMA) schema: string,
  ) {
    this.table = `${quoteIdentifier(schema)}.${API_KEYS_TABLE}`;
  }

  /** Throws a unique violation (`isUniqueViolation`) when the key id is taken. */
  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `INSERT INTO ${this.table} (key_id, name, role, scope_unit_id, secret_sha256, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [key.keyId, key.name, key.role, key.scopeUnitId, key.secretSha256, key.createdBy],
    );
    return toRecord(this.single(rows));
  }

  async findByKeyId(keyId: string): Promise<ApiKeyRecord | undefined> {
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM ${this.table} WHERE key_id = $1`,
      [keyId],
    );
    const row = rows[0];
    return row === undefined ? undefined : toRecord(row);
  }

  async list(options: ApiKeyListOptions): Promise<ApiKeyRecord[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit), 1), maxListLimit);
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM ${this.table}
       WHERE ($1::boolean OR revoked_at IS NULL) AND ($2::text IS NULL OR key_id > $2)
       ORDER BY key_id LIMIT $3`,
      [options.includeRevoked, options.after ?? null, limit],
    );
    return rows.map(toRecord);
  }

  /**
   * Revokes an active key and returns it; a key already revoked is returned unchanged (revoking
   * is idempotent); undefined when no key has this id.
   */
  async revoke(keyId: string, revokedBy: string): Promise<ApiKeyRecord | undefined> {
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `WITH revoked AS (
         UPDATE ${this.table} SET revoked_at = now(), revoked_by = $2
         WHERE key_id = $1 AND revoked_at IS NULL RETURNING ${columns}
       )
       SELECT ${columns} FROM revoked`,
      [keyId, revokedBy],
    );
    const row = rows[0];
    return row === undefined ? this.findByKeyId(keyId) : toRecord(row);
  }

  /**
   * Makes the keys installed from ADMIN_API_KEY match it, in one transaction: its key active
   * (secret updated if it changed; back if only the configuration had revoked it), every other
   * bootstrap key revoked. A key revoked through the API stays revoked, and a key id taken by a
   * key created through the API is left alone.
   */
  async upsertBootstrapKey(key: ParsedApiKey | undefined): Promise<BootstrapKeyOutcome> {
    return this.dataSource.transaction(async (manager) => {
      if (key === undefined) {
        return { status: 'none', revoked: await this.revokeBootstrapKeys(manager, null) };
      }
      const installed: { key_id: string }[] = await manager.query(
        `INSERT INTO ${this.table} (key_id, name, role, scope_unit_id, secret_sha256, created_by)
         VALUES ($1, $2, $3, NULL, $4, $5)
         ON CONFLICT (key_id) DO UPDATE
           SET name = EXCLUDED.name, role = EXCLUDED.role, scope_unit_id = NULL,
               secret_sha256 = EXCLUDED.secret_sha256, revoked_at = NULL, revoked_by = NULL
           WHERE ${API_KEYS_TABLE}.created_by = EXCLUDED.created_by
             AND (${API_KEYS_TABLE}.revoked_at IS NULL OR ${API_KEYS_TABLE}.revoked_by = EXCLUDED.created_by)
         RETURNING key_id`,
        [key.keyId, BOOTSTRAP_KEY_NAME, ADMIN_ROLE, hashSecret(key.secret), BOOTSTRAP_ACTOR],
      );
      const revoked = await this.revokeBootstrapKeys(manager, key.keyId);
      if (installed.length === 1) return { status: 'installed', keyId: key.keyId, revoked };
      const existing: { created_by: string }[] = await manager.query(
        `SELECT created_by FROM ${this.table} WHERE key_id = $1`,
        [key.keyId],
      );
      const status =
        existing[0]?.created_by === BOOTSTRAP_ACTOR ? 'refused_revoked' : 'refused_conflict';
      return { status, keyId: key.keyId, revoked };
    });
  }

  private async revokeBootstrapKeys(
    manager: EntityManager,
    keep: string | null,
  ): Promise<string[]> {
    const rows: { key_id: string }[] = await manager.query(
      `WITH revoked AS (
         UPDATE ${this.table} SET revoked_at = now(), revoked_by = $1
         WHERE created_by = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR key_id <> $2)
         RETURNING key_id
       )
       SELECT key_id FROM revoked ORDER BY key_id`,
      [BOOTSTRAP_ACTOR, keep],
    );
    return rows.map((row) => row.key_id);
  }

  private single(rows: readonly ApiKeyRow[]): ApiKeyRow {
    const row = rows[0];
    if (rows.length !== 1 || row === undefined) {
      throw new Error(`expected one api_keys row, got ${rows.length}`);
    }
    return row;
  }
}
