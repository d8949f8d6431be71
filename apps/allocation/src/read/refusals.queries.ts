// Scarcity: refused reservations over time (from the reservation_refusals counters the
// reservation service flushes, see application/refusal-recorder.ts) and the units that cannot
// reserve right now (from the accounts' current state and the catalog's class rules).
import { Injectable } from '@nestjs/common';
import { PostgresEventStore } from '@plafond/ledger';
import { REFUSALS_TABLE } from '../application/refusal-recorder';
import { loadAccount, loadCatalog } from '../application/streams';
import {
  availableOf,
  checkClassRule,
  DOMAIN_ERROR_CODES,
  isDomainError,
  ORGANISATION_STREAM_ID,
  refuse,
  subtree,
  type AccountState,
  type BudgetPeriod,
  type CatalogState,
} from '../domain';
import { usedInAllocationOf } from '../domain/account/account.invariants';
import { lookup } from '../domain/shared/records';
import { accountStreamsOfBudget, quotedSchema } from './account-streams';
import { ORGANISATION_READ_FOLD, requireBudget, requireUnit, unitsOf } from './balance.queries';
import { readConsistently } from './consistent-read';

export type RefusalBucket = 'hour' | 'day';
/** Buckets one answer may hold at most. */
export const REFUSAL_MAX_BUCKETS = 2_000;
const BUCKET_MS: Record<RefusalBucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** Without `bucket`: hours for a window up to this long, days beyond. */
const HOURLY_UP_TO_MS = 48 * 3_600_000;

export interface RefusalQueryOptions {
  from?: Date;
  to?: Date;
  bucket?: RefusalBucket;
  /** Only this unit's subtree (today's tree). */
  unitId?: string;
  now: Date;
}

export interface RefusalSeriesItem {
  /** Bucket start (hour or local day of the budget's time zone). */
  at: string;
  reason: string;
  usefulnessClass: string;
  count: number;
  requested: string;
}

export interface BlockedUnit {
  unitId: string;
  /** The code a reservation of any amount would be refused with now. */
  reason: string;
  available: string;
}

export interface ShedClass {
  unitId: string;
  className: string;
  /** USECASE.SHED_ABOVE_UTILISATION or USECASE.CLASS_CAP_EXCEEDED. */
  reason: string;
  available: string;
}

export interface RefusalReport {
  budgetId: string;
  bucket: RefusalBucket;
  from: string;
  to: string;
  unitId: string | null;
  totals: {
    count: number;
    requested: string;
    byReason: Record<string, number>;
    byClass: Record<string, number>;
  };
  series: RefusalSeriesItem[];
  units: { unitId: string; count: number; lastRefusedAt: string; lastReason: string }[];
  blocked: BlockedUnit[];
  shed: ShedClass[];
}

const invalid = (field: string, reason: string): never =>
  refuse(DOMAIN_ERROR_CODES.commandInvalid, `${field} ${reason}`, { field, reason });

/** Why `account` cannot reserve even the smallest amount now, or null when it can. */
export function blockedReason(account: AccountState, budgetClosed: boolean, nowMs: number) {
  if (budgetClosed || account.status === 'closed' || nowMs >= account.periodEndsAtMs)
    return DOMAIN_ERROR_CODES.periodClosed;
  if (account.blocked) return DOMAIN_ERROR_CODES.unitBlocked;
  if (availableOf(account) === 0n) return DOMAIN_ERROR_CODES.quotaExceeded;
  return null;
}

/**
 * Whether the account ever held or used quota. Accounts that did not (a parent whose policy keeps
 * nothing for itself) are left out of `blocked` and `shed`: nobody reserves there.
 */
export const heldQuota = (account: AccountState): boolean =>
  account.status !== 'none' &&
  (account.allocated > 0n || account.committed > 0n || account.reserved > 0n);

/** The allowed classes whose rule refuses even the smallest reservation on this account now. */
export function shedClasses(
  account: AccountState,
  catalog: CatalogState,
): { className: string; reason: string }[] {
  const shed: { className: string; reason: string }[] = [];
  for (const className of catalog.classOrder) {
    const rule = lookup(catalog.classes, className)?.rule;
    if (rule === undefined || rule.kind !== 'allowed') continue;
    const used = lookup(account.byClass, className);
    try {
      checkClassRule(className, rule, {
        allocated: account.allocated,
        usedInAllocation: usedInAllocationOf(account),
        classUsed: used === undefined ? 0n : used.reserved + used.committed,
        available: availableOf(account),
        amount: 1n,
      });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      shed.push({ className, reason: error.code });
    }
  }
  return shed;
}

interface SeriesRow {
  at: Date;
  reason: string;
  usefulness_class: string;
  count: string;
  requested: string;
}

interface UnitRow {
  unit_id: string;
  count: string;
  last_refused_at: Date;
  last_reason: string;
}

@Injectable()
export class RefusalQueries {
  constructor(private readonly store: PostgresEventStore) {}

  /**
   * Refusals of a budget in [from, to) by bucket, reason and class, per unit, and the units that
   * cannot reserve now. `BUDGET.NOT_FOUND`, `UNIT.NOT_FOUND`, `COMMAND.INVALID` (window).
   */
  async refusals(budgetId: string, options: RefusalQueryOptions): Promise<RefusalReport> {
    const { budget, units } = await readConsistently(this.store, undefined, async (read) => {
      const found = await requireBudget(read, budgetId);
      if (options.unitId === undefined) return { budget: found, units: undefined };
      const organisation = (await read.load(ORGANISATION_STREAM_ID, ORGANISATION_READ_FOLD)).state;
      const unitId = options.unitId;
      requireUnit(organisation, unitId);
      return {
        budget: found,
        units: unitsOf(subtree(organisation, unitId, { includeArchived: true })),
      };
    });
    const period = budget.period as BudgetPeriod;
    const from = options.from ?? new Date(period.startsAt);
    let to = options.to ?? options.now;
    // Defaults on a period not begun yet: its whole length (nothing refused yet), not a 400.
    if (options.from === undefined && options.to === undefined && to.getTime() <= from.getTime())
      to = new Date(period.endsAt);
    if (from.getTime() >= to.getTime()) invalid('from', 'must be before to');
    const windowMs = to.getTime() - from.getTime();
    const bucket = options.bucket ?? (windowMs <= HOURLY_UP_TO_MS ? 'hour' : 'day');
    if (Math.ceil(windowMs / BUCKET_MS[bucket]) > REFUSAL_MAX_BUCKETS)
      invalid('to', `makes more than ${REFUSAL_MAX_BUCKETS} ${bucket} buckets; narrow the window`);

    const table = `${quotedSchema(this.store.schema)}.${REFUSALS_TABLE}`;
    const unitList = units === undefined ? null : [...units];
    const where = `budget_id = $1 AND minute >= $2 AND minute < $3
                   AND ($4::text[] IS NULL OR unit_id = ANY($4::text[]))`;
    const params = [budgetId, from, to, unitList];
    const series = await this.store.sql.query<SeriesRow>(
      `SELECT date_trunc($5, minute, $6) AS at, reason, usefulness_class,
              sum(count)::text AS count, sum(requested)::text AS requested
         FROM ${table} WHERE ${where}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [...params, bucket, period.timeZone],
    );
    const perUnit = await this.store.sql.query<UnitRow>(
      `SELECT unit_id, sum(count)::text AS count, max(last_refused_at) AS last_refused_at,
              (array_agg(reason ORDER BY last_refused_at DESC, reason))[1] AS last_reason
         FROM ${table} WHERE ${where}
        GROUP BY unit_id ORDER BY unit_id`,
      params,
    );
    // Maps, not objects: class names are client-chosen ids ("__proto__" included).
    const byReason = new Map<string, number>();
    const byClass = new Map<string, number>();
    let count = 0;
    let requested = 0n;
    for (const row of series) {
      const rowCount = Number(row.count);
      count += rowCount;
      requested += BigInt(row.requested);
      byReason.set(row.reason, (byReason.get(row.reason) ?? 0) + rowCount);
      byClass.set(row.usefulness_class, (byClass.get(row.usefulness_class) ?? 0) + rowCount);
    }
    const { blocked, shed } = await this.blockedUnits(budgetId, budget.status, units, options.now);
    return {
      budgetId,
      bucket,
      from: from.toISOString(),
      to: to.toISOString(),
      unitId: options.unitId ?? null,
      totals: {
        count,
        requested: requested.toString(),
        byReason: Object.fromEntries(byReason),
        byClass: Object.fromEntries(byClass),
      },
      series: series.map((row) => ({
        at: new Date(row.at).toISOString(),
        reason: row.reason,
        usefulnessClass: row.usefulness_class,
        count: Number(row.count),
        requested: row.requested,
      })),
      units: perUnit.map((row) => ({
        unitId: row.unit_id,
        count: Number(row.count),
        lastRefusedAt: new Date(row.last_refused_at).toISOString(),
        lastReason: row.last_reason,
      })),
      blocked,
      shed,
    };
  }

  /** Units holding an account in the budget that cannot reserve now, and classes shed. */
  private async blockedUnits(
    budgetId: string,
    status: string,
    units: ReadonlySet<string> | undefined,
    now: Date,
  ): Promise<{ blocked: BlockedUnit[]; shed: ShedClass[] }> {
    const catalog = (await loadCatalog(this.store)).state;
    const accounts = await accountStreamsOfBudget(this.store.sql, this.store.schema, budgetId);
    const blocked: BlockedUnit[] = [];
    const shed: ShedClass[] = [];
    for (const { unitId } of accounts) {
      if (units !== undefined && !units.has(unitId)) continue;
      const account = (await loadAccount(this.store, budgetId, unitId)).state;
      if (!heldQuota(account)) continue;
      const available = availableOf(account).toString();
      const reason = blockedReason(account, status === 'closed', now.getTime());
      if (reason !== null) blocked.push({ unitId, reason, available });
      else
        for (const item of shedClasses(account, catalog)) shed.push({ unitId, ...item, available });
    }
    return { blocked, shed };
  }
}
