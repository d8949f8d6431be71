// The history of one budget, for the console: its own stream (opened, allocation rounds, ceiling
// changes, transfers, close), paged newest first, and the list of its allocation rounds. One READ
// ONLY snapshot per answer; rows are mapped and paged as the unit history's (history.queries.ts).
import { Injectable } from '@nestjs/common';
import { PostgresEventStore } from '@plafond/ledger';
import { DOMAIN_LIMITS, budgetStreamId } from '../domain';
import { quotedSchema } from './account-streams';
import { readConsistently } from './consistent-read';
import {
  isObject,
  pageOf,
  pageOptions,
  requireBudgetStream,
  rowColumns,
  text,
  toEntry,
  type HistoryRow,
  type UnitHistoryEntry,
} from './history.queries';

export interface BudgetHistoryPage {
  budgetId: string;
  /** The budget stream's events, whole (an allocation's parts list every unit). */
  events: UnitHistoryEntry[];
  nextBefore: string | null;
}

/** One allocation round of a budget, without its parts (`GET …/allocations/{id}` has them). */
export interface AllocationRoundEntry {
  allocationId: string;
  amount: string;
  actor: string | null;
  reason: string | null;
  /** When it was made (metadata.occurredAt, else when the ledger recorded it). */
  occurredAt: string;
}

@Injectable()
export class BudgetHistoryQueries {
  constructor(private readonly store: PostgresEventStore) {}

  /**
   * The budget's allocation rounds, oldest first (at most DOMAIN_LIMITS.allocationRounds).
   * `BUDGET.NOT_FOUND` for an unknown budget.
   */
  async budgetAllocations(
    budgetId: string,
  ): Promise<{ budgetId: string; items: AllocationRoundEntry[] }> {
    const rows = await this.streamRows(
      budgetId,
      `e.event_type = 'BudgetAllocated' ORDER BY e.stream_version LIMIT $2`,
      [DOMAIN_LIMITS.allocationRounds + 1],
    );
    return {
      budgetId,
      items: rows.map((row) => {
        const entry = toEntry(row, null);
        const data = isObject(row.data) ? row.data : {};
        return {
          allocationId: text(data.allocationId) ?? '',
          amount: text(data.amount) ?? '0',
          actor: entry.actor,
          reason: entry.reason,
          occurredAt: entry.occurredAt ?? entry.recordedAt,
        };
      }),
    };
  }

  /**
   * A page of the budget stream's events, newest first, with actor and reason.
   * `BUDGET.NOT_FOUND` for an unknown budget, `COMMAND.INVALID` for a bad limit or position.
   */
  async budgetHistory(
    budgetId: string,
    options: { limit?: number; before?: bigint } = {},
  ): Promise<BudgetHistoryPage> {
    const { limit, before } = pageOptions(options);
    // Within one stream versions follow positions: the (stream_id, stream_version) index.
    const rows = await this.streamRows(
      budgetId,
      'e.global_position < $2 ORDER BY e.stream_version DESC LIMIT $3',
      [before.toString(), limit + 1],
    );
    return { budgetId, ...pageOf(rows, limit, null) };
  }

  /**
   * In one READ ONLY snapshot: `BUDGET.NOT_FOUND` unless the budget exists, then the rows of its
   * stream (`$1`) that `rest` keeps and orders (`params` are `$2`…).
   */
  private streamRows(budgetId: string, rest: string, params: unknown[]): Promise<HistoryRow[]> {
    const schema = this.store.schema;
    return readConsistently(this.store, undefined, async ({ tx: { sql } }) => {
      await requireBudgetStream(sql, schema, budgetId);
      return sql.query<HistoryRow>(
        `SELECT ${rowColumns('e')} FROM ${quotedSchema(schema)}.events e
          WHERE e.stream_id = $1 AND ${rest}`,
        [budgetStreamId(budgetId), ...params],
      );
    });
  }
}
