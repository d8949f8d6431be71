// Integrators and their API keys. A key is a platform key (ApiKeyService, role `integrator`)
// linked to one integrator in integrator_keys; the integrator fixes the CloudEvents `source` the
// key may write and the units it may report for (null = every unit).
import { Injectable } from '@nestjs/common';
import {
  ADMIN_ROLE,
  ApiKeyService,
  ApiKeyStore,
  apiKeyView,
  PlafondError,
  principalActor,
  ServiceConfig,
  type ApiKeyView,
  type CreatedApiKeyView,
  type Principal,
} from '@plafond/platform';
import { DataSource } from 'typeorm';
import type { IngestionCaller } from '../application';

export const INTEGRATOR_ROLE = 'integrator';

export const INTEGRATOR_ERROR = {
  notFound: 'INTEGRATOR.NOT_FOUND',
  alreadyExists: 'INTEGRATOR.ALREADY_EXISTS',
  sourceTaken: 'INTEGRATOR.SOURCE_TAKEN',
  disabled: 'INTEGRATOR.DISABLED',
  keyNotFound: 'INTEGRATOR.KEY_NOT_FOUND',
  keyUnlinked: 'INTEGRATOR.KEY_UNLINKED',
  keyRevoked: 'INTEGRATOR.KEY_REVOKED',
} as const;

export interface IntegratorView {
  readonly integratorId: string;
  readonly name: string;
  readonly source: string;
  /** null: every unit. */
  readonly unitIds: readonly string[] | null;
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

export interface CreateIntegratorInput {
  readonly integratorId: string;
  readonly name: string;
  readonly source: string;
  readonly unitIds: readonly string[] | null;
}

interface IntegratorRow {
  integrator_id: string;
  name: string;
  source: string;
  unit_ids: string[] | null;
  created_at: Date;
  disabled_at: Date | null;
}

const columns = 'integrator_id, name, source, unit_ids, created_at, disabled_at';

function toView(row: IntegratorRow): IntegratorView {
  return {
    integratorId: row.integrator_id,
    name: row.name,
    source: row.source,
    unitIds: row.unit_ids,
    createdAt: row.created_at.toISOString(),
    disabledAt: row.disabled_at === null ? null : row.disabled_at.toISOString(),
  };
}

function toCaller(row: IntegratorRow): IngestionCaller {
  return {
    integratorId: row.integrator_id,
    allowedSource: row.source,
    allowedUnits: row.unit_ids,
  };
}

function uniqueConstraint(error: unknown): string | undefined {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } })
    .driverError;
  const candidate = driverError ?? (error as { code?: string; constraint?: string });
  return candidate.code === '23505' ? (candidate.constraint ?? '') : undefined;
}

@Injectable()
export class IntegratorService {
  private readonly integrators: string;
  private readonly keys: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeyService,
    private readonly apiKeyStore: ApiKeyStore,
    config: ServiceConfig,
  ) {
    const schema = config.databaseSchema;
    this.integrators = `"${schema}".integrators`;
    this.keys = `"${schema}".integrator_keys`;
  }

  async create(input: CreateIntegratorInput): Promise<IntegratorView> {
    try {
      const rows: IntegratorRow[] = await this.dataSource.query(
        `INSERT INTO ${this.integrators} (integrator_id, name, source, unit_ids)
         VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
        [input.integratorId, input.name, input.source, input.unitIds],
      );
      return toView(this.single(rows, input.integratorId));
    } catch (error) {
      const constraint = uniqueConstraint(error);
      if (constraint === undefined) throw error;
      if (constraint.includes('source'))
        throw new PlafondError(
          INTEGRATOR_ERROR.sourceTaken,
          `Another integrator already reports with source "${input.source}".`,
          { source: input.source },
          409,
        );
      throw new PlafondError(
        INTEGRATOR_ERROR.alreadyExists,
        `An integrator "${input.integratorId}" already exists.`,
        { integratorId: input.integratorId },
        409,
      );
    }
  }

  async list(): Promise<IntegratorView[]> {
    const rows: IntegratorRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM ${this.integrators} ORDER BY integrator_id`,
    );
    return rows.map(toView);
  }

  async get(integratorId: string): Promise<IntegratorView> {
    return toView(await this.row(integratorId));
  }

  async updateUnits(
    integratorId: string,
    unitIds: readonly string[] | null,
  ): Promise<IntegratorView> {
    const rows: IntegratorRow[] = await this.dataSource.query(
      `WITH updated AS (UPDATE ${this.integrators} SET unit_ids = $2 WHERE integrator_id = $1
       RETURNING ${columns}) SELECT * FROM updated`,
      [integratorId, unitIds],
    );
    return toView(this.single(rows, integratorId));
  }

  /** Idempotent. A disabled integrator's keys are refused (INTEGRATOR.DISABLED, 403). */
  async disable(integratorId: string): Promise<IntegratorView> {
    const rows: IntegratorRow[] = await this.dataSource.query(
      `WITH updated AS (UPDATE ${this.integrators} SET disabled_at = COALESCE(disabled_at, now())
       WHERE integrator_id = $1 RETURNING ${columns}) SELECT * FROM updated`,
      [integratorId],
    );
    return toView(this.single(rows, integratorId));
  }

  async listKeys(integratorId: string): Promise<ApiKeyView[]> {
    await this.row(integratorId);
    const rows: { key_id: string }[] = await this.dataSource.query(
      `SELECT key_id FROM ${this.keys} WHERE integrator_id = $1 ORDER BY created_at, key_id`,
      [integratorId],
    );
    const views: ApiKeyView[] = [];
    for (const { key_id } of rows) {
      const record = await this.apiKeyStore.findByKeyId(key_id);
      if (record !== undefined) views.push(apiKeyView(record));
    }
    return views;
  }

  /** A new `integrator` key linked to the integrator; the answer is the only time it is shown. */
  async createKey(
    creator: Principal,
    integratorId: string,
    name?: string,
  ): Promise<CreatedApiKeyView> {
    const integrator = await this.row(integratorId);
    if (integrator.disabled_at !== null)
      throw new PlafondError(
        INTEGRATOR_ERROR.disabled,
        `The integrator "${integratorId}" is disabled.`,
        { integratorId },
        409,
      );
    const created = await this.apiKeys.create(creator, {
      name: name ?? `integrator:${integratorId}`,
      role: INTEGRATOR_ROLE,
    });
    try {
      await this.dataSource.query(
        `INSERT INTO ${this.keys} (key_id, integrator_id) VALUES ($1, $2)`,
        [created.keyId, integratorId],
      );
    } catch (error) {
      // Never leave a usable key without its integrator.
      await this.apiKeys.revoke(creator, created.keyId);
      throw error;
    }
    return created;
  }

  /**
   * A new key, then the old one revoked: the answer carries the new key. A revoked key is not
   * rotated (INTEGRATOR.KEY_REVOKED, 409), nor a disabled integrator's (INTEGRATOR.DISABLED, 409):
   * no new key is issued.
   */
  async rotateKey(
    actor: Principal,
    integratorId: string,
    keyId: string,
  ): Promise<{ created: CreatedApiKeyView; revoked: ApiKeyView }> {
    await this.assertLinked(integratorId, keyId);
    const old = await this.apiKeyStore.findByKeyId(keyId);
    if (old !== undefined && old.revokedAt !== null)
      throw new PlafondError(
        INTEGRATOR_ERROR.keyRevoked,
        `The key "${keyId}" is revoked: create a new key instead of rotating it.`,
        { integratorId, keyId },
        409,
      );
    const created = await this.createKey(actor, integratorId, old?.name);
    const revoked = await this.apiKeys.revoke(actor, keyId);
    return { created, revoked };
  }

  /** Idempotent. */
  async revokeKey(actor: Principal, integratorId: string, keyId: string): Promise<ApiKeyView> {
    await this.assertLinked(integratorId, keyId);
    return this.apiKeys.revoke(actor, keyId);
  }

  /**
   * Who the key reports as. An integrator key: its integrator's source and units (403 if it is
   * linked to none or the integrator is disabled). An admin key (testing, backfills): any source
   * and unit, the actor as integrator id.
   */
  async callerForKey(principal: Principal): Promise<IngestionCaller> {
    if (principal.role === ADMIN_ROLE)
      return { integratorId: principalActor(principal), allowedSource: null, allowedUnits: null };
    const rows: IntegratorRow[] = await this.dataSource.query(
      `SELECT ${columns
        .split(', ')
        .map((c) => `i.${c}`)
        .join(', ')}
       FROM ${this.keys} k JOIN ${this.integrators} i USING (integrator_id) WHERE k.key_id = $1`,
      [principal.keyId],
    );
    const row = rows[0];
    if (row === undefined)
      throw new PlafondError(
        INTEGRATOR_ERROR.keyUnlinked,
        'This key belongs to no integrator: create integrator keys under /v1/integrators/{id}/keys.',
        { keyId: principal.keyId },
        403,
      );
    if (row.disabled_at !== null)
      throw new PlafondError(
        INTEGRATOR_ERROR.disabled,
        `The integrator "${row.integrator_id}" is disabled.`,
        { integratorId: row.integrator_id },
        403,
      );
    return toCaller(row);
  }

  /** For the raw topic, which has no key: null when no enabled integrator has this source. */
  async callerForSource(source: string): Promise<IngestionCaller | null> {
    const rows: IntegratorRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM ${this.integrators} WHERE source = $1 AND disabled_at IS NULL`,
      [source],
    );
    const row = rows[0];
    return row === undefined ? null : toCaller(row);
  }

  private async assertLinked(integratorId: string, keyId: string): Promise<void> {
    await this.row(integratorId);
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM ${this.keys} WHERE integrator_id = $1 AND key_id = $2`,
      [integratorId, keyId],
    );
    if (rows.length === 0)
      throw new PlafondError(
        INTEGRATOR_ERROR.keyNotFound,
        `The integrator "${integratorId}" has no key "${keyId}".`,
        { integratorId, keyId },
        404,
      );
  }

  private async row(integratorId: string): Promise<IntegratorRow> {
    const rows: IntegratorRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM ${this.integrators} WHERE integrator_id = $1`,
      [integratorId],
    );
    return this.single(rows, integratorId);
  }

  private single(rows: IntegratorRow[], integratorId: string): IntegratorRow {
    const row = rows[0];
    if (row === undefined)
      throw new PlafondError(
        INTEGRATOR_ERROR.notFound,
        `No integrator has the id "${integratorId}".`,
        { integratorId },
        404,
      );
    return row;
  }
}
