// Which units and use cases exist, as far as ingestion knows: a port, so the pipeline does not
// care where the knowledge comes from. The PostgreSQL implementation reads known_units and
// known_use_cases, which a consumer of allocation's public events fills (remember/forget run
// inside that consumer's inbox transaction). Archived units and retired use cases stay known:
// usage that happened before arrives late and must still be recorded.
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, type SqlExecutor } from '@plafond/ledger';
import { q } from './tables';

export const UNIT_DIRECTORY = Symbol('plafond.ingestion.UNIT_DIRECTORY');

export interface UnitLookup {
  readonly unitKnown: boolean;
  readonly useCaseKnown: boolean;
}

export interface UnitDirectory {
  lookup(unitId: string, useCase: string): Promise<UnitLookup>;
}

@Injectable()
export class PostgresUnitDirectory implements UnitDirectory {
  constructor(@Inject(PostgresEventStore) private readonly store: PostgresEventStore) {}

  private get schema(): string {
    return this.store.schema;
  }

  async lookup(unitId: string, useCase: string): Promise<UnitLookup> {
    return this.store.transaction(async (tx) => {
      const rows = await tx.sql.query<{ unit_known: boolean; use_case_known: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${q(this.schema, 'known_units')} WHERE unit_id = $1) AS unit_known,
                EXISTS (SELECT 1 FROM ${q(this.schema, 'known_use_cases')} WHERE use_case = $2) AS use_case_known`,
        [unitId, useCase],
      );
      const row = rows[0];
      return { unitKnown: row?.unit_known === true, useCaseKnown: row?.use_case_known === true };
    });
  }

  /** A unit created (or seen) in allocation; `archivedAt` when it was archived. */
  async rememberUnit(
    sql: SqlExecutor,
    unitId: string,
    at: Date,
    archivedAt: Date | null = null,
  ): Promise<void> {
    await sql.query(
      `INSERT INTO ${q(this.schema, 'known_units')} (unit_id, archived_at, updated_at)
         VALUES ($1, $2, $3)
       ON CONFLICT (unit_id) DO UPDATE SET archived_at = EXCLUDED.archived_at, updated_at = EXCLUDED.updated_at`,
      [unitId, archivedAt, at],
    );
  }

  /** A use case registered in allocation's catalog; `retiredAt` when it was retired. */
  async rememberUseCase(
    sql: SqlExecutor,
    useCase: string,
    at: Date,
    retiredAt: Date | null = null,
  ): Promise<void> {
    await sql.query(
      `INSERT INTO ${q(this.schema, 'known_use_cases')} (use_case, retired_at, updated_at)
         VALUES ($1, $2, $3)
       ON CONFLICT (use_case) DO UPDATE SET retired_at = EXCLUDED.retired_at, updated_at = EXCLUDED.updated_at`,
      [useCase, retiredAt, at],
    );
  }
}
