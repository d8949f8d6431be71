// The balance read model: one row per (budget, unit), the domain's balance fold
// (`evolveUnitBalance`) stored in PostgreSQL by an in-database projection. Deterministic: every
// column comes from the events (positions and recorded-at included), never from a clock, so a
// rebuild from position 0 reproduces the live table byte for byte (the replay digest).
import {
  projectionMigrationStatements,
  type Projection,
  type ProjectionContext,
  type RecordedEvent,
  type SqlExecutor,
} from '@plafond/ledger';
import { CHECKPOINTS_TABLE } from '@plafond/ledger';
import {
  accountStreamId,
  evolveUnitBalance,
  invariant,
  type AccountEvent,
  type UnitBalance,
} from '../domain';
import { quotedSchema } from './account-streams';

export const UNIT_BALANCES_PROJECTION_NAME = 'unit-balances';
export const UNIT_BALANCES_TABLE = 'unit_balances';

/** A stored row: amounts as decimal strings (numeric), never JavaScript numbers. */
export interface UnitBalanceRow {
  budgetId: string;
  unitId: string;
  allocated: string;
  reserved: string;
  committed: string;
  available: string;
  overrun: string;
  blocked: boolean;
  closed: boolean;
  /** Global position of the last event folded into the row. */
  lastPosition: string;
  lastRecordedAt: string;
}

interface SqlRow {
  budget_id: string;
  unit_id: string;
  allocated: string;
  reserved: string;
  committed: string;
  available: string;
  overrun: string;
  blocked: boolean;
  closed: boolean;
  last_position: string;
  last_recorded_at: string;
}

const SELECT_COLUMNS = `budget_id, unit_id, allocated::text AS allocated, reserved::text AS reserved,
  committed::text AS committed, available::text AS available, overrun::text AS overrun, blocked,
  closed, last_position::text AS last_position,
  to_char(last_recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_recorded_at`;

/**
 * numeric(38,0): exact, and no sum of 64-bit amounts a budget can see overflows it (a bigint
 * column could, for committed usage accumulated over many debits).
 */
function createStatements(schema: string): string[] {
  const s = quotedSchema(schema);
  const amount = (name: string) => `${name} numeric(38,0) NOT NULL CHECK (${name} >= 0)`;
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.${UNIT_BALANCES_TABLE} (
      budget_id text COLLATE "C" NOT NULL,
      unit_id text COLLATE "C" NOT NULL,
      ${amount('allocated')},
      ${amount('reserved')},
      ${amount('committed')},
      ${amount('available')},
      ${amount('overrun')},
      blocked boolean NOT NULL,
      closed boolean NOT NULL,
      last_position bigint NOT NULL,
      last_recorded_at timestamptz(3) NOT NULL,
      PRIMARY KEY (budget_id, unit_id)
    )`,
  ];
}

const toBalance = (row: SqlRow): UnitBalance => ({
  budgetId: row.budget_id,
  unitId: row.unit_id,
  allocated: BigInt(row.allocated),
  reserved: BigInt(row.reserved),
  committed: BigInt(row.committed),
  available: BigInt(row.available),
  overrun: BigInt(row.overrun),
  blocked: row.blocked,
  closed: row.closed,
});

const keyOf = (budgetId: string, unitId: string): string => JSON.stringify([budgetId, unitId]);

interface Folded {
  balance: UnitBalance;
  lastPosition: bigint;
  lastRecordedAt: Date;
}

/** Account events of the batch, in order; the stream id must be the account its data names. */
function accountEvents(events: readonly RecordedEvent[]): RecordedEvent<AccountEvent>[] {
  const selected: RecordedEvent<AccountEvent>[] = [];
  for (const event of events) {
    if (!event.streamId.startsWith('account-')) continue;
    const account = event as unknown as RecordedEvent<AccountEvent>;
    const { budgetId, unitId } = account.data;
    invariant(
      typeof budgetId === 'string' &&
        typeof unitId === 'string' &&
        accountStreamId(budgetId, unitId) === event.streamId,
      'account event names another account than its stream',
      { streamId: event.streamId, globalPosition: event.globalPosition.toString() },
    );
    selected.push(account);
  }
  return selected;
}

async function loadRows(
  context: ProjectionContext,
  keys: readonly { budgetId: string; unitId: string }[],
): Promise<Map<string, UnitBalance>> {
  const rows = await context.sql.query<SqlRow>(
    `SELECT ${SELECT_COLUMNS} FROM ${context.table(UNIT_BALANCES_TABLE)}
      WHERE (budget_id, unit_id) IN (SELECT b, u FROM unnest($1::text[], $2::text[]) AS k(b, u))`,
    [keys.map((key) => key.budgetId), keys.map((key) => key.unitId)],
  );
  return new Map(rows.map((row) => [keyOf(row.budget_id, row.unit_id), toBalance(row)]));
}

async function upsertRows(context: ProjectionContext, rows: readonly Folded[]): Promise<void> {
  const column = <T>(pick: (row: Folded) => T): T[] => rows.map(pick);
  await context.sql.query(
    `INSERT INTO ${context.table(UNIT_BALANCES_TABLE)} AS t
       (budget_id, unit_id, allocated, reserved, committed, available, overrun, blocked, closed,
        last_position, last_recorded_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[],
       $6::numeric[], $7::numeric[], $8::boolean[], $9::boolean[], $10::bigint[], $11::timestamptz[])
     ON CONFLICT (budget_id, unit_id) DO UPDATE SET
       allocated = EXCLUDED.allocated, reserved = EXCLUDED.reserved,
       committed = EXCLUDED.committed, available = EXCLUDED.available,
       overrun = EXCLUDED.overrun, blocked = EXCLUDED.blocked, closed = EXCLUDED.closed,
       last_position = EXCLUDED.last_position, last_recorded_at = EXCLUDED.last_recorded_at`,
    [
      column((row) => row.balance.budgetId),
      column((row) => row.balance.unitId),
      column((row) => row.balance.allocated.toString()),
      column((row) => row.balance.reserved.toString()),
      column((row) => row.balance.committed.toString()),
      column((row) => row.balance.available.toString()),
      column((row) => row.balance.overrun.toString()),
      column((row) => row.balance.blocked),
      column((row) => row.balance.closed),
      column((row) => row.lastPosition.toString()),
      column((row) => row.lastRecordedAt.toISOString()),
    ],
  );
}

/**
 * Folds a batch: reads the rows it touches once, applies the events in commit order with the
 * domain's fold (which asserts the balance invariants: a bad stream fails the batch loudly, and
 * the subscription retries and eventually stops as `failed`), writes each touched row once.
 */
async function apply(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
  const selected = accountEvents(events);
  if (selected.length === 0) return;
  const keys = new Map<string, { budgetId: string; unitId: string }>();
  for (const event of selected) {
    const { budgetId, unitId } = event.data;
    keys.set(keyOf(budgetId, unitId), { budgetId, unitId });
  }
  const stored = await loadRows(context, [...keys.values()]);
  const folded = new Map<string, Folded>();
  for (const event of selected) {
    const key = keyOf(event.data.budgetId, event.data.unitId);
    const previous = folded.get(key)?.balance ?? stored.get(key) ?? null;
    folded.set(key, {
      balance: evolveUnitBalance(previous, event),
      lastPosition: event.globalPosition,
      lastRecordedAt: event.recordedAt,
    });
  }
  await upsertRows(context, [...folded.values()]);
}

export const unitBalancesProjection: Projection = {
  name: UNIT_BALANCES_PROJECTION_NAME,
  tables: [{ name: UNIT_BALANCES_TABLE }],
  createStatements,
  apply,
};

/** DDL of the read side in `schema` (idempotent), for the allocation migration. */
export function readModelStatements(schema: string): string[] {
  return projectionMigrationStatements(unitBalancesProjection, schema);
}

/**
 * Reverse of `readModelStatements`. The projection's checkpoint goes with its table, so that
 * migrating up again rebuilds the table from position 0 instead of resuming past its events.
 */
export function readModelDownStatements(schema: string): string[] {
  const s = quotedSchema(schema);
  return [
    `DROP TABLE IF EXISTS ${s}.${UNIT_BALANCES_TABLE}`,
    `DO $$ BEGIN
       IF to_regclass('${s}.${CHECKPOINTS_TABLE}') IS NOT NULL THEN
         DELETE FROM ${s}.${CHECKPOINTS_TABLE} WHERE name = '${UNIT_BALANCES_PROJECTION_NAME}';
       END IF;
     END $$`,
  ];
}

/** The stored rows of one budget (or all), in key order: for tools, tests and cheap dashboards. */
export async function readUnitBalanceRows(
  sql: SqlExecutor,
  schema: string,
  budgetId?: string,
): Promise<UnitBalanceRow[]> {
  const rows = await sql.query<SqlRow>(
    `SELECT ${SELECT_COLUMNS} FROM ${quotedSchema(schema)}.${UNIT_BALANCES_TABLE}
      WHERE $1::text IS NULL OR budget_id = $1 ORDER BY budget_id, unit_id`,
    [budgetId ?? null],
  );
  return rows.map((row) => ({
    budgetId: row.budget_id,
    unitId: row.unit_id,
    allocated: row.allocated,
    reserved: row.reserved,
    committed: row.committed,
    available: row.available,
    overrun: row.overrun,
    blocked: row.blocked,
    closed: row.closed,
    lastPosition: row.last_position,
    lastRecordedAt: row.last_recorded_at,
  }));
}
