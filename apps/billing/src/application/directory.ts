// What billing knows of allocation's organisation: units (tree, names), use cases (usefulness
// class) and the usage debits that went over an allocation. Plain tables written by the
// allocation-events consumer inside its inbox transaction; not part of the ledger projection.
import { Inject, Injectable } from '@nestjs/common';
import type { AllocationEventDataV1, AllocationEventNameV1 } from '@plafond/contracts';
import { PostgresEventStore, type SqlExecutor } from '@plafond/ledger';
import { BILLING_SETTINGS, type BillingSettings } from './settings';

export const DIRECTORY_TABLES = ['units', 'use_cases', 'usage_debits'] as const;

/** DDL of the directory tables, for the billing migration (re-runnable). */
export function directoryTableStatements(schema: string): string[] {
  const q = (table: string) => `"${schema}".${table}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${q('units')} (
      unit_id text PRIMARY KEY,
      parent_id text,
      name text NOT NULL,
      archived boolean NOT NULL DEFAULT false
    )`,
    `CREATE INDEX IF NOT EXISTS units_parent_idx ON ${q('units')} (parent_id)`,
    `CREATE TABLE IF NOT EXISTS ${q('use_cases')} (
      use_case text PRIMARY KEY,
      usefulness_class text NOT NULL,
      retired boolean NOT NULL DEFAULT false
    )`,
    `CREATE TABLE IF NOT EXISTS ${q('usage_debits')} (
      usage_id text NOT NULL,
      budget_id text NOT NULL,
      usage_amount numeric(20,0) NOT NULL,
      overrun_amount numeric(20,0) NOT NULL,
      PRIMARY KEY (usage_id, budget_id)
    )`,
  ];
}

export function directoryTableDownStatements(schema: string): string[] {
  return [...DIRECTORY_TABLES]
    .reverse()
    .map((table) => `DROP TABLE IF EXISTS "${schema}".${table}`);
}

export interface DirectoryUnit {
  readonly unitId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly archived: boolean;
}

export interface UsageDebit {
  readonly usageId: string;
  readonly budgetId: string;
  /** The whole usage's debit in the budget's dimension. */
  readonly usageAmount: bigint;
  /** Its part beyond the allocation. */
  readonly overrunAmount: bigint;
}

/** Bound on tree walks (a cycle in bad data cannot loop forever). */
const MAX_DEPTH = 1_000;

type AnyAllocationData = AllocationEventDataV1[AllocationEventNameV1];

@Injectable()
export class BillingDirectory {
  private readonly schema: string;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(BILLING_SETTINGS) settings: BillingSettings,
  ) {
    this.schema = settings.readModelSchema;
  }

  private table(name: (typeof DIRECTORY_TABLES)[number]): string {
    return `"${this.schema}".${name}`;
  }

  /** Outside a transaction: one read-only transaction of its own. */
  private read<T>(
    sql: SqlExecutor | undefined,
    work: (sql: SqlExecutor) => Promise<T>,
  ): Promise<T> {
    return sql === undefined ? this.store.transaction((tx) => work(tx.sql)) : work(sql);
  }

  /**
   * Applies one public allocation event (inside the consumer's inbox transaction). Idempotent;
   * events billing does not keep are ignored. Returns whether the event was one it keeps.
   */
  async applyAllocationEvent(
    sql: SqlExecutor,
    name: AllocationEventNameV1,
    data: AnyAllocationData,
  ): Promise<boolean> {
    const units = this.table('units');
    const useCases = this.table('use_cases');
    // Registration and reclassification both leave the use case with the class they name.
    const setUsefulnessClass = (useCase: string, usefulnessClass: string) =>
      sql.query(
        `INSERT INTO ${useCases} (use_case, usefulness_class) VALUES ($1, $2)
         ON CONFLICT (use_case) DO UPDATE SET usefulness_class = EXCLUDED.usefulness_class`,
        [useCase, usefulnessClass],
      );
    switch (name) {
      case 'UnitCreated': {
        const d = data as AllocationEventDataV1['UnitCreated'];
        await sql.query(
          `INSERT INTO ${units} (unit_id, parent_id, name) VALUES ($1, $2, $3)
           ON CONFLICT (unit_id) DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name`,
          [d.unitId, d.parentId, d.name],
        );
        return true;
      }
      case 'UnitRenamed': {
        const d = data as AllocationEventDataV1['UnitRenamed'];
        await sql.query(
          `INSERT INTO ${units} (unit_id, parent_id, name) VALUES ($1, NULL, $2)
           ON CONFLICT (unit_id) DO UPDATE SET name = EXCLUDED.name`,
          [d.unitId, d.name],
        );
        return true;
      }
      case 'UnitMoved': {
        const d = data as AllocationEventDataV1['UnitMoved'];
        await sql.query(
          `INSERT INTO ${units} (unit_id, parent_id, name) VALUES ($1, $2, $1)
           ON CONFLICT (unit_id) DO UPDATE SET parent_id = EXCLUDED.parent_id`,
          [d.unitId, d.toParentId],
        );
        return true;
      }
      case 'UnitArchived': {
        const d = data as AllocationEventDataV1['UnitArchived'];
        await sql.query(
          `INSERT INTO ${units} (unit_id, parent_id, name, archived) VALUES ($1, NULL, $1, true)
           ON CONFLICT (unit_id) DO UPDATE SET archived = true`,
          [d.unitId],
        );
        return true;
      }
      case 'UseCaseRegistered': {
        const d = data as AllocationEventDataV1['UseCaseRegistered'];
        await setUsefulnessClass(d.useCase, d.className);
        return true;
      }
      case 'UseCaseReclassified': {
        const d = data as AllocationEventDataV1['UseCaseReclassified'];
        await setUsefulnessClass(d.useCase, d.toClassName);
        return true;
      }
      case 'UseCaseRetired': {
        const d = data as AllocationEventDataV1['UseCaseRetired'];
        await sql.query(`UPDATE ${useCases} SET retired = true WHERE use_case = $1`, [d.useCase]);
        return true;
      }
      case 'UsageDebited': {
        const d = data as AllocationEventDataV1['UsageDebited'];
        if (BigInt(d.overrunAmount) <= 0n) return false;
        await sql.query(
          `INSERT INTO ${this.table('usage_debits')} (usage_id, budget_id, usage_amount, overrun_amount)
           VALUES ($1, $2, $3, $4) ON CONFLICT (usage_id, budget_id) DO NOTHING`,
          [d.usageId, d.budgetId, d.amount, d.overrunAmount],
        );
        return true;
      }
      default:
        return false;
    }
  }

  /** The use case's usefulness class (retired included), null when allocation never told. */
  async usefulnessClassOf(sql: SqlExecutor | undefined, useCase: string): Promise<string | null> {
    return this.read(sql, async (executor) => {
      const [row] = await executor.query<{ usefulness_class: string }>(
        `SELECT usefulness_class FROM ${this.table('use_cases')} WHERE use_case = $1`,
        [useCase],
      );
      return row?.usefulness_class ?? null;
    });
  }

  /**
   * The ids on the unit's way to its root that billing has no UnitCreated of: the unit itself
   * when unknown, else at most the last ancestor named (allocation creates a parent before its
   * children, but they travel on different keys, so a child may be known before its parent).
   * Empty: the whole chain is known, and a profile inherited along it is the right one.
   */
  async unknownInChain(sql: SqlExecutor, unitId: string): Promise<string[]> {
    const units = this.table('units');
    const rows = await sql.query<{ unit_id: string }>(
      `WITH RECURSIVE chain (unit_id, depth) AS (
         SELECT $1::text, 0
         UNION
         SELECT u.parent_id, c.depth + 1 FROM ${units} u
           JOIN chain c ON u.unit_id = c.unit_id
          WHERE u.parent_id IS NOT NULL AND c.depth < ${MAX_DEPTH}
       )
       SELECT c.unit_id FROM chain c
        WHERE NOT EXISTS (SELECT 1 FROM ${units} k WHERE k.unit_id = c.unit_id)
        GROUP BY c.unit_id ORDER BY min(c.depth)`,
      [unitId],
    );
    return rows.map((row) => row.unit_id);
  }

  unit(unitId: string): Promise<DirectoryUnit | null>;
  unit(sql: SqlExecutor | undefined, unitId: string): Promise<DirectoryUnit | null>;
  async unit(
    sqlOrUnitId: SqlExecutor | string | undefined,
    maybeUnitId?: string,
  ): Promise<DirectoryUnit | null> {
    const [sql, unitId] = splitArgs(sqlOrUnitId, maybeUnitId);
    return this.read(sql, async (executor) => {
      const [row] = await executor.query<UnitRow>(
        `SELECT unit_id, parent_id, name, archived FROM ${this.table('units')} WHERE unit_id = $1`,
        [unitId],
      );
      return row === undefined ? null : toUnit(row);
    });
  }

  /** The unit and its descendants (archived included), the unit first, then by depth and id. */
  subtreeOf(unitId: string): Promise<string[]>;
  subtreeOf(sql: SqlExecutor | undefined, unitId: string): Promise<string[]>;
  async subtreeOf(
    sqlOrUnitId: SqlExecutor | string | undefined,
    maybeUnitId?: string,
  ): Promise<string[]> {
    const [sql, unitId] = splitArgs(sqlOrUnitId, maybeUnitId);
    return this.read(sql, async (executor) => {
      const rows = await executor.query<{ unit_id: string }>(
        `WITH RECURSIVE tree (unit_id, depth) AS (
           SELECT $1::text, 0
           UNION
           SELECT u.unit_id, t.depth + 1 FROM ${this.table('units')} u
             JOIN tree t ON u.parent_id = t.unit_id
            WHERE t.depth < ${MAX_DEPTH}
         )
         SELECT unit_id FROM tree GROUP BY unit_id ORDER BY min(depth), unit_id`,
        [unitId],
      );
      return rows.map((row) => row.unit_id);
    });
  }

  /** The unit's ancestors, nearest first (the unit itself excluded). */
  ancestorsOf(unitId: string): Promise<string[]>;
  ancestorsOf(sql: SqlExecutor | undefined, unitId: string): Promise<string[]>;
  async ancestorsOf(
    sqlOrUnitId: SqlExecutor | string | undefined,
    maybeUnitId?: string,
  ): Promise<string[]> {
    const [sql, unitId] = splitArgs(sqlOrUnitId, maybeUnitId);
    return this.read(sql, async (executor) => {
      const rows = await executor.query<{ unit_id: string }>(
        `WITH RECURSIVE chain (unit_id, depth) AS (
           SELECT parent_id, 1 FROM ${this.table('units')} WHERE unit_id = $1 AND parent_id IS NOT NULL
           UNION
           SELECT u.parent_id, c.depth + 1 FROM ${this.table('units')} u
             JOIN chain c ON u.unit_id = c.unit_id
            WHERE u.parent_id IS NOT NULL AND c.depth < ${MAX_DEPTH}
         )
         SELECT unit_id FROM chain GROUP BY unit_id ORDER BY min(depth)`,
        [unitId],
      );
      return rows.map((row) => row.unit_id).filter((id) => id !== unitId);
    });
  }

  /** allocation's debit of a usage on a budget, kept only when it went over the allocation. */
  async debitOf(
    sql: SqlExecutor | undefined,
    usageId: string,
    budgetId: string,
  ): Promise<UsageDebit | null> {
    return this.read(sql, async (executor) => {
      const [row] = await executor.query<{ usage_amount: string; overrun_amount: string }>(
        `SELECT usage_amount::text AS usage_amount, overrun_amount::text AS overrun_amount
           FROM ${this.table('usage_debits')} WHERE usage_id = $1 AND budget_id = $2`,
        [usageId, budgetId],
      );
      return row === undefined
        ? null
        : {
            usageId,
            budgetId,
            usageAmount: BigInt(row.usage_amount),
            overrunAmount: BigInt(row.overrun_amount),
          };
    });
  }
}

interface UnitRow {
  unit_id: string;
  parent_id: string | null;
  name: string;
  archived: boolean;
}

const toUnit = (row: UnitRow): DirectoryUnit => ({
  unitId: row.unit_id,
  parentId: row.parent_id,
  name: row.name,
  archived: row.archived,
});

function splitArgs(
  sqlOrUnitId: SqlExecutor | string | undefined,
  maybeUnitId: string | undefined,
): [SqlExecutor | undefined, string] {
  if (typeof sqlOrUnitId === 'string') return [undefined, sqlOrUnitId];
  if (maybeUnitId === undefined) throw new TypeError('a unit id is required');
  return [sqlOrUnitId, maybeUnitId];
}
