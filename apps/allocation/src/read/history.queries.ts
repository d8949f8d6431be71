// The event history of one unit, read from the ledger's tables: organisation events about it,
// budget events naming it, and the events of its account streams, newest first by global
// position, with who did it and why. One READ ONLY snapshot per page. The row mapping, paging and
// checks here are shared with the budget's own history (budget-history.queries.ts).
import { Injectable } from '@nestjs/common';
import { PostgresEventStore, type JsonValue, type SqlExecutor } from '@plafond/ledger';
import {
  DOMAIN_ERROR_CODES,
  DOMAIN_LIMITS,
  ORGANISATION_STREAM_ID,
  accountStreamId,
  budgetStreamId,
  refuse,
} from '../domain';
import { accountStreamsOfUnit, quotedSchema } from './account-streams';
import { readConsistently } from './consistent-read';

export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 1_000;

export interface UnitHistoryOptions {
  /** Only this budget's events (and its account of the unit). */
  budgetId?: string;
  /** 1..1000, default 100. */
  limit?: number;
  /** Only events strictly before this global position (the previous page's `nextBefore`). */
  before?: bigint;
}

export interface UnitHistoryEntry {
  /** Global ledger position (decimal string). */
  position: string;
  streamId: string;
  /** Version of the event in its stream (decimal string). */
  version: string;
  type: string;
  /**
   * The event's data. For `UnitsAllocated` and `UnusedQuotaReclaimed`, which list many units,
   * only this unit's entry is kept (the full event is at `streamId` / `version`).
   */
  data: JsonValue;
  actor: string | null;
  reason: string | null;
  correlationId: string | null;
  /** When it happened in the business (metadata.occurredAt), if the writer said. */
  occurredAt: string | null;
  /** When the ledger recorded it. */
  recordedAt: string;
}

export interface UnitHistoryPage {
  unitId: string;
  budgetId: string | null;
  events: UnitHistoryEntry[];
  /** Pass as `before` for the next page; null when this page is the last. */
  nextBefore: string | null;
}

/** An events-table row as `rowColumns` selects it. */
export interface HistoryRow {
  position: string;
  stream_id: string;
  version: string;
  type: string;
  data: JsonValue;
  metadata: Record<string, unknown> | null;
  recorded_at: string;
}

const POSITION_MAX = 9_223_372_036_854_775_807n;

const COLUMNS = `e.global_position, e.stream_id, e.stream_version, e.event_type, e.data, e.metadata,
  e.recorded_at`;

/** The columns of a `HistoryRow`, from the events table (or a subquery) aliased `alias`. */
export function rowColumns(alias: string): string {
  return `${alias}.global_position::text AS position, ${alias}.stream_id,
          ${alias}.stream_version::text AS version, ${alias}.event_type AS type, ${alias}.data,
          ${alias}.metadata,
          to_char(${alias}.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            AS recorded_at`;
}

/** Budget events that name a unit: perimeter, allocation parts, transfers, reclaims. */
const NAMES_UNIT = `(
  (e.event_type = 'BudgetOpened' AND e.data->>'perimeterUnitId' = $1)
  OR (e.event_type = 'UnitsAllocated'
      AND e.data->'units' @> jsonb_build_array(jsonb_build_object('unitId', $1::text)))
  OR (e.event_type = 'QuotaTransferred'
      AND (e.data->>'fromUnitId' = $1 OR e.data->>'toUnitId' = $1))
  OR (e.event_type = 'UnusedQuotaReclaimed'
      AND e.data->'reclaims' @> jsonb_build_array(jsonb_build_object('unitId', $1::text))))`;

/**
 * $1 unit id, $2 before (exclusive), $3 limit, $4 account stream ids, $5 organisation stream id,
 * $6 budget stream id (or the budget range's lower bound), $7 the range's upper bound. Each
 * branch is bounded by the limit; within one stream, versions follow positions, so the account
 * branch walks each stream's (stream_id, stream_version) index backwards.
 */
function historyStatement(schema: string, oneBudget: boolean): string {
  const events = `${quotedSchema(schema)}.events`;
  const budgetStreams = oneBudget ? 'e.stream_id = $6' : 'e.stream_id >= $6 AND e.stream_id < $7';
  return `
    SELECT ${rowColumns('h')}
      FROM (
        (SELECT ${COLUMNS} FROM ${events} e
          WHERE e.stream_id = $5 AND e.data->>'unitId' = $1 AND e.global_position < $2
          ORDER BY e.stream_version DESC LIMIT $3)
        UNION ALL
        (SELECT ${COLUMNS} FROM ${events} e
          WHERE ${budgetStreams} AND ${NAMES_UNIT} AND e.global_position < $2
          ORDER BY e.global_position DESC LIMIT $3)
        UNION ALL
        (SELECT a.* FROM unnest($4::text[]) AS s(stream_id)
          CROSS JOIN LATERAL (
            SELECT ${COLUMNS} FROM ${events} e
             WHERE e.stream_id = s.stream_id AND e.global_position < $2
             ORDER BY e.stream_version DESC LIMIT $3) a)
      ) h
     ORDER BY h.global_position DESC
     LIMIT $3`;
}

export const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps only this unit's entry of the events that list many units. */
function dataForUnit(type: string, data: JsonValue, unitId: string): JsonValue {
  const listKey =
    type === 'UnitsAllocated' ? 'units' : type === 'UnusedQuotaReclaimed' ? 'reclaims' : null;
  if (listKey === null || !isObject(data)) return data;
  const list = data[listKey];
  if (!Array.isArray(list)) return data;
  return {
    ...data,
    [listKey]: list.filter((item) => isObject(item) && item.unitId === unitId),
  };
}

/** `unitId` null: the data whole (the budget's own history). */
export function toEntry(row: HistoryRow, unitId: string | null): UnitHistoryEntry {
  const metadata = row.metadata ?? {};
  const data = isObject(row.data) ? row.data : {};
  return {
    position: row.position,
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: unitId === null ? row.data : dataForUnit(row.type, row.data, unitId),
    // Transfers also carry actor and reason in their data.
    actor: text(metadata.actor) ?? text(data.actor),
    reason: text(metadata.reason) ?? text(data.reason),
    correlationId: text(metadata.correlationId),
    occurredAt: text(metadata.occurredAt),
    recordedAt: row.recorded_at,
  };
}

async function exists(sql: SqlExecutor, statement: string, params: unknown[]): Promise<boolean> {
  const rows = await sql.query<{ found: boolean }>(`SELECT EXISTS (${statement}) AS found`, params);
  return rows[0]?.found === true;
}

/** `limit` and `before` checked, defaults applied (`COMMAND.INVALID` otherwise). */
export function pageOptions(options: { limit?: number; before?: bigint }): {
  limit: number;
  before: bigint;
} {
  const limit = options.limit ?? HISTORY_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT)
    refuse(DOMAIN_ERROR_CODES.commandInvalid, `limit must be 1..${HISTORY_MAX_LIMIT}`, {
      field: 'limit',
      reason: `must be an integer from 1 to ${HISTORY_MAX_LIMIT}`,
    });
  const before = options.before ?? POSITION_MAX;
  if (before < 1n || before > POSITION_MAX)
    refuse(DOMAIN_ERROR_CODES.commandInvalid, 'before must be a positive position', {
      field: 'before',
      reason: 'must be a positive global position',
    });
  return { limit, before };
}

/** A page of entries from `limit + 1` rows: the extra row only tells that another page exists. */
export function pageOf(
  rows: readonly HistoryRow[],
  limit: number,
  unitId: string | null,
): { events: UnitHistoryEntry[]; nextBefore: string | null } {
  const events = rows.slice(0, limit).map((row) => toEntry(row, unitId));
  return { events, nextBefore: rows.length > limit ? (events.at(-1)?.position ?? null) : null };
}

/** `BUDGET.NOT_FOUND` unless the budget's stream exists. */
export async function requireBudgetStream(
  sql: SqlExecutor,
  schema: string,
  budgetId: string,
): Promise<void> {
  const known =
    budgetId.length > 0 &&
    budgetId.length <= DOMAIN_LIMITS.idLength &&
    (await exists(sql, `SELECT 1 FROM ${quotedSchema(schema)}.streams WHERE stream_id = $1`, [
      budgetStreamId(budgetId),
    ]));
  if (!known)
    refuse(DOMAIN_ERROR_CODES.budgetNotFound, `budget "${budgetId}" not found`, { budgetId });
}

@Injectable()
export class HistoryQueries {
  constructor(private readonly store: PostgresEventStore) {}

  /**
   * A page of the unit's history, newest first. `UNIT.NOT_FOUND` if the unit was never created,
   * `BUDGET.NOT_FOUND` for an unknown `budgetId`, `COMMAND.INVALID` for a bad limit or position.
   */
  async unitHistory(unitId: string, options: UnitHistoryOptions = {}): Promise<UnitHistoryPage> {
    const { limit, before } = pageOptions(options);
    const budgetId = options.budgetId;
    const schema = this.store.schema;
    const events = `${quotedSchema(schema)}.events`;
    return readConsistently(this.store, undefined, async ({ tx: { sql } }) => {
      const created =
        unitId.length > 0 &&
        unitId.length <= DOMAIN_LIMITS.idLength &&
        (await exists(
          sql,
          `SELECT 1 FROM ${events} e WHERE e.stream_id = $1 AND e.event_type = 'UnitCreated'
             AND e.data->>'unitId' = $2`,
          [ORGANISATION_STREAM_ID, unitId],
        ));
      if (!created)
        refuse(DOMAIN_ERROR_CODES.unitNotFound, `unit "${unitId}" not found`, { unitId });
      let accounts: string[];
      let budgetBounds: string[];
      if (budgetId !== undefined) {
        await requireBudgetStream(sql, schema, budgetId);
        accounts = [accountStreamId(budgetId, unitId)];
        budgetBounds = [budgetStreamId(budgetId)];
      } else {
        accounts = (await accountStreamsOfUnit(sql, schema, unitId)).map((ref) => ref.streamId);
        budgetBounds = ['budget-', 'budget.'];
      }
      // One more row than asked tells whether another page exists.
      const rows = await sql.query<HistoryRow>(historyStatement(schema, budgetId !== undefined), [
        unitId,
        before.toString(),
        limit + 1,
        accounts,
        ORGANISATION_STREAM_ID,
        ...budgetBounds,
      ]);
      return { unitId, budgetId: budgetId ?? null, ...pageOf(rows, limit, unitId) };
    });
  }
}
