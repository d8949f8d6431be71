// Index tables of the application layer, written in the same transaction as the events they
// index (synchronous and exact, unlike a projection): they answer "which account holds
// reservation r?", "which budgets cover unit u now?", "which reservations are due?" and "was this
// transfer already made?" without folding streams.
import type { SqlExecutor } from '@plafond/ledger';
import { invariant, type AccountEvent, type BudgetEvent } from '../domain';
import { RetryUnitOfWork } from './unit-of-work';

const q = (schema: string, table: string) => `"${schema}".${table}`;

export function applicationTableStatements(schema: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'budgets')} (
      budget_id text PRIMARY KEY,
      perimeter_unit_id text NOT NULL,
      dimension text NOT NULL,
      period_kind text NOT NULL,
      period_key text NOT NULL,
      time_zone text NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      ceiling bigint NOT NULL CHECK (ceiling >= 0),
      allocated bigint NOT NULL CHECK (allocated >= 0 AND allocated <= ceiling),
      mode text NOT NULL CHECK (mode IN ('hard', 'soft')),
      thresholds_basis_points integer[] NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'closed')),
      opened_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS budgets_status_period ON ${q(schema, 'budgets')} (status, starts_at, ends_at)`,
    `CREATE INDEX IF NOT EXISTS budgets_perimeter ON ${q(schema, 'budgets')} (perimeter_unit_id)`,
    // Units holding an account in a budget (allocated, transferred to, or debited by usage).
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'budget_units')} (
      budget_id text NOT NULL,
      unit_id text NOT NULL,
      PRIMARY KEY (budget_id, unit_id)
    )`,
    `CREATE INDEX IF NOT EXISTS budget_units_unit ON ${q(schema, 'budget_units')} (unit_id)`,
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'reservations')} (
      reservation_id text PRIMARY KEY,
      budget_id text NOT NULL,
      unit_id text NOT NULL,
      stream_id text NOT NULL,
      dimension text NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      use_case text NOT NULL,
      usefulness_class text NOT NULL,
      timeout_ms bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'committed', 'released', 'expired')),
      committed_amount bigint CHECK (committed_amount IS NULL OR committed_amount <= amount),
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS reservations_due ON ${q(schema, 'reservations')} (expires_at)
      WHERE status = 'pending'`,
    // Budget commands whose id the budget stream keeps no memory of (transfers, ceiling changes):
    // a retry is recognised here and answered with the original, a reuse for another request refused.
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'budget_commands')} (
      budget_id text NOT NULL,
      command_kind text NOT NULL,
      command_id text NOT NULL,
      request jsonb NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (budget_id, command_kind, command_id)
    )`,
  ];
}

export function applicationTableDownStatements(schema: string): string[] {
  return ['budget_commands', 'reservations', 'budget_units', 'budgets'].map(
    (table) => `DROP TABLE IF EXISTS ${q(schema, table)}`,
  );
}

export interface ReservationRow {
  reservationId: string;
  budgetId: string;
  unitId: string;
  streamId: string;
  dimension: string;
  amount: bigint;
  useCase: string;
  usefulnessClass: string;
  timeoutMs: number;
  status: 'pending' | 'committed' | 'released' | 'expired';
  committedAmount: bigint | null;
  expiresAt: Date;
}

interface ReservationRecord {
  reservation_id: string;
  budget_id: string;
  unit_id: string;
  stream_id: string;
  dimension: string;
  amount: string;
  use_case: string;
  usefulness_class: string;
  timeout_ms: string;
  status: ReservationRow['status'];
  committed_amount: string | null;
  expires_at: Date | string;
}

const reservationColumns = `reservation_id, budget_id, unit_id, stream_id, dimension,
  amount::text AS amount, use_case, usefulness_class, timeout_ms::text AS timeout_ms, status,
  committed_amount::text AS committed_amount, expires_at`;

function toReservationRow(record: ReservationRecord): ReservationRow {
  return {
    reservationId: record.reservation_id,
    budgetId: record.budget_id,
    unitId: record.unit_id,
    streamId: record.stream_id,
    dimension: record.dimension,
    amount: BigInt(record.amount),
    useCase: record.use_case,
    usefulnessClass: record.usefulness_class,
    timeoutMs: Number(record.timeout_ms),
    status: record.status,
    committedAmount: record.committed_amount === null ? null : BigInt(record.committed_amount),
    expiresAt: record.expires_at instanceof Date ? record.expires_at : new Date(record.expires_at),
  };
}

export async function findReservations(
  sql: SqlExecutor,
  schema: string,
  reservationIds: readonly string[],
): Promise<Map<string, ReservationRow>> {
  if (reservationIds.length === 0) return new Map();
  const rows = await sql.query<ReservationRecord>(
    `SELECT ${reservationColumns} FROM ${q(schema, 'reservations')}
      WHERE reservation_id = ANY($1::text[])`,
    [[...new Set(reservationIds)]],
  );
  return new Map(rows.map((row) => [row.reservation_id, toReservationRow(row)]));
}

/** Pending reservations past their deadline, earliest first. */
export async function dueReservations(
  sql: SqlExecutor,
  schema: string,
  now: Date,
  limit: number,
): Promise<ReservationRow[]> {
  const rows = await sql.query<ReservationRecord>(
    `SELECT ${reservationColumns} FROM ${q(schema, 'reservations')}
      WHERE status = 'pending' AND expires_at <= $1
      ORDER BY expires_at, reservation_id LIMIT $2`,
    [now, limit],
  );
  return rows.map(toReservationRow);
}

export interface BudgetRow {
  budgetId: string;
  perimeterUnitId: string;
  dimension: string;
  periodKind: string;
  periodKey: string;
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  ceiling: bigint;
  allocated: bigint;
  mode: string;
  thresholdsBasisPoints: number[];
  status: 'open' | 'closed';
}

interface BudgetRecord {
  budget_id: string;
  perimeter_unit_id: string;
  dimension: string;
  period_kind: string;
  period_key: string;
  time_zone: string;
  starts_at: Date | string;
  ends_at: Date | string;
  ceiling: string;
  allocated: string;
  mode: string;
  thresholds_basis_points: number[];
  status: 'open' | 'closed';
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

export const budgetColumns = (alias = ''): string => {
  const a = alias === '' ? '' : `${alias}.`;
  return `${a}budget_id, ${a}perimeter_unit_id, ${a}dimension, ${a}period_kind, ${a}period_key,
    ${a}time_zone, ${a}starts_at, ${a}ends_at, ${a}ceiling::text AS ceiling,
    ${a}allocated::text AS allocated, ${a}mode, ${a}thresholds_basis_points, ${a}status`;
};

export function toBudgetRow(record: BudgetRecord): BudgetRow {
  return {
    budgetId: record.budget_id,
    perimeterUnitId: record.perimeter_unit_id,
    dimension: record.dimension,
    periodKind: record.period_kind,
    periodKey: record.period_key,
    timeZone: record.time_zone,
    startsAt: asDate(record.starts_at),
    endsAt: asDate(record.ends_at),
    ceiling: BigInt(record.ceiling),
    allocated: BigInt(record.allocated),
    mode: record.mode,
    thresholdsBasisPoints: record.thresholds_basis_points.map(Number),
    status: record.status,
  };
}

export async function queryBudgets(
  sql: SqlExecutor,
  text: string,
  params: readonly unknown[],
): Promise<BudgetRow[]> {
  const rows = await sql.query<BudgetRecord>(text, params);
  return rows.map(toBudgetRow);
}

export async function budgetUnitIds(
  sql: SqlExecutor,
  schema: string,
  budgetId: string,
): Promise<string[]> {
  const rows = await sql.query<{ unit_id: string }>(
    `SELECT unit_id FROM ${q(schema, 'budget_units')} WHERE budget_id = $1 ORDER BY unit_id`,
    [budgetId],
  );
  return rows.map((row) => row.unit_id);
}

/** Open budgets where the unit holds an account or is the perimeter (blocks archiving it). */
export async function openAllocationCount(
  sql: SqlExecutor,
  schema: string,
  unitId: string,
): Promise<number> {
  const rows = await sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${q(schema, 'budgets')} b
      WHERE b.status = 'open' AND (b.perimeter_unit_id = $1 OR EXISTS (
        SELECT 1 FROM ${q(schema, 'budget_units')} u WHERE u.budget_id = b.budget_id AND u.unit_id = $1))`,
    [unitId],
  );
  return rows[0]?.count ?? 0;
}

export interface BudgetCommandRecord {
  request: unknown;
}

export async function findBudgetCommand(
  sql: SqlExecutor,
  schema: string,
  key: { budgetId: string; kind: string; commandId: string },
): Promise<BudgetCommandRecord | undefined> {
  const rows = await sql.query<{ request: unknown }>(
    `SELECT request FROM ${q(schema, 'budget_commands')}
      WHERE budget_id = $1 AND command_kind = $2 AND command_id = $3`,
    [key.budgetId, key.kind, key.commandId],
  );
  return rows[0];
}

export async function recordBudgetCommand(
  sql: SqlExecutor,
  schema: string,
  key: { budgetId: string; kind: string; commandId: string },
  request: unknown,
  now: Date,
): Promise<void> {
  const inserted = await sql.query(
    `INSERT INTO ${q(schema, 'budget_commands')} (budget_id, command_kind, command_id, request, recorded_at)
      VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT DO NOTHING RETURNING command_id`,
    [key.budgetId, key.kind, key.commandId, JSON.stringify(request), now],
  );
  // Taken by a concurrent command with the same id: run again, and the retry finds it.
  if (inserted.length === 0) throw new RetryUnitOfWork(`budget command ${key.commandId} taken`);
}

/** Index writes for events just appended to a budget stream. */
export async function indexBudgetEvents(
  sql: SqlExecutor,
  schema: string,
  events: readonly BudgetEvent[],
  now: Date,
): Promise<void> {
  const table = q(schema, 'budgets');
  for (const event of events) {
    switch (event.type) {
      case 'BudgetOpened': {
        const { data } = event;
        await sql.query(
          `INSERT INTO ${table} (budget_id, perimeter_unit_id, dimension, period_kind, period_key,
             time_zone, starts_at, ends_at, ceiling, allocated, mode, thresholds_basis_points,
             status, opened_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint, 0, $10, $11::int[], 'open', $12, $12)
           ON CONFLICT (budget_id) DO NOTHING`,
          [
            data.budgetId,
            data.perimeterUnitId,
            data.dimension,
            data.period.kind,
            data.period.key,
            data.period.timeZone,
            data.period.startsAt,
            data.period.endsAt,
            data.ceiling,
            data.mode,
            data.thresholdsBasisPoints,
            now,
          ],
        );
        break;
      }
      case 'BudgetAllocated':
        await sql.query(
          `UPDATE ${table} SET allocated = allocated + $2::bigint, updated_at = $3 WHERE budget_id = $1`,
          [event.data.budgetId, event.data.amount, now],
        );
        break;
      case 'UnusedQuotaReclaimed':
        await sql.query(
          `UPDATE ${table} SET allocated = allocated - $2::bigint, updated_at = $3 WHERE budget_id = $1`,
          [event.data.budgetId, event.data.total, now],
        );
        break;
      case 'CeilingLowered':
        await sql.query(
          `UPDATE ${table} SET ceiling = $2::bigint, updated_at = $3 WHERE budget_id = $1`,
          [event.data.budgetId, event.data.ceiling, now],
        );
        break;
      case 'PeriodClosed':
        await sql.query(
          `UPDATE ${table} SET status = 'closed', updated_at = $2 WHERE budget_id = $1`,
          [event.data.budgetId, now],
        );
        break;
      case 'UnitsAllocated':
      case 'QuotaTransferred':
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unindexed budget event ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/**
 * Index writes for events just appended to one account stream: its row in budget_units, and the
 * reservations it grants or finalises — at most three statements whatever the number of events.
 * A reservation id taken meanwhile by another account makes the unit of work run again; its
 * pre-check then refuses the reuse.
 */
export async function indexAccountEvents(
  sql: SqlExecutor,
  schema: string,
  account: { streamId: string; dimension: string },
  events: readonly AccountEvent[],
  now: Date,
): Promise<void> {
  const opened = events.find((event) => event.type === 'AccountOpened');
  if (opened !== undefined)
    await sql.query(
      `INSERT INTO ${q(schema, 'budget_units')} (budget_id, unit_id) VALUES ($1, $2)
        ON CONFLICT DO NOTHING`,
      [opened.data.budgetId, opened.data.unitId],
    );
  const reserved = events.flatMap((event) => (event.type === 'QuotaReserved' ? [event.data] : []));
  if (reserved.length > 0) {
    const inserted = await sql.query<{ reservation_id: string }>(
      `INSERT INTO ${q(schema, 'reservations')} (reservation_id, budget_id, unit_id, stream_id,
         dimension, amount, use_case, usefulness_class, timeout_ms, status, committed_amount,
         expires_at, created_at, updated_at)
       SELECT r.id, r.budget_id, r.unit_id, $5, $6, r.amount, r.use_case, r.class, r.timeout_ms,
         'pending', NULL, r.expires_at, $7, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $8::text[], $9::text[],
         $10::bigint[], $11::timestamptz[]) AS r(id, budget_id, unit_id, amount, use_case, class,
         timeout_ms, expires_at)
       ON CONFLICT (reservation_id) DO NOTHING RETURNING reservation_id`,
      [
        reserved.map((data) => data.reservationId),
        reserved.map((data) => data.budgetId),
        reserved.map((data) => data.unitId),
        reserved.map((data) => data.amount),
        account.streamId,
        account.dimension,
        now,
        reserved.map((data) => data.useCase),
        reserved.map((data) => data.usefulnessClass),
        reserved.map((data) => String(data.timeoutMs)),
        reserved.map((data) => data.expiresAt),
      ],
    );
    if (inserted.length !== reserved.length)
      throw new RetryUnitOfWork('a reservation id was taken by another account meanwhile');
  }
  const outcomes = events.flatMap(
    (event): { id: string; status: string; committed: string | null }[] => {
      switch (event.type) {
        case 'ReservationCommitted':
          return [
            {
              id: event.data.reservationId,
              status: 'committed',
              committed: event.data.committedAmount,
            },
          ];
        case 'ReservationReleased':
          return [{ id: event.data.reservationId, status: 'released', committed: null }];
        case 'ReservationExpired':
          return [{ id: event.data.reservationId, status: 'expired', committed: null }];
        default:
          return [];
      }
    },
  );
  if (outcomes.length === 0) return;
  const updated = await sql.query(
    `UPDATE ${q(schema, 'reservations')} AS t
        SET status = o.status, committed_amount = o.committed, updated_at = $4
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS o(id, status, committed)
      WHERE t.reservation_id = o.id AND t.status = 'pending'
      RETURNING t.reservation_id`,
    [
      outcomes.map((outcome) => outcome.id),
      outcomes.map((outcome) => outcome.status),
      outcomes.map((outcome) => outcome.committed),
      now,
    ],
  );
  // Written with every outcome since the reservation was granted: a gap is a bug, never repaired.
  invariant(updated.length === outcomes.length, 'reservation index out of step with its account', {
    streamId: account.streamId,
  });
}
