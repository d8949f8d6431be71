// Budget burn-down: a unit's consumption over the period, day by day, against the ceiling and the
// allocations, with a linear projection to the period's end. Computed from the ledger in one
// READ ONLY snapshot: every account of the unit's subtree is read once, oldest event first, and
// folded with the balance fold (evolveUnitBalance), so what counts as consumption is exactly what
// the balances call `committed` (committed reservations + debited usage, overrun included).
import { Injectable, Optional } from '@nestjs/common';
import type { Dimension } from '@plafond/contracts';
import { PostgresEventStore, type RecordedEvent } from '@plafond/ledger';
import { JsonLogger } from '@plafond/platform';
import {
  ORGANISATION_STREAM_ID,
  evolveUnitBalance,
  subtree,
  type AccountEvent,
  type BudgetPeriod,
  type UnitBalance,
} from '../domain';
import { startOfLocalDay } from '../domain/budget/period';
import { accountStreamsOfBudget } from './account-streams';
import {
  ORGANISATION_READ_FOLD,
  preOrder,
  requireBudget,
  requireInBudget,
  requireUnit,
} from './balance.queries';
import { readConsistently, type ConsistentRead } from './consistent-read';

export const DAY_MS = 86_400_000;
/** Events read per statement while folding an account. */
const PAGE_SIZE = 1_000;

export interface BurnDownPoint {
  /** End of the day (exclusive) in the budget's time zone; the last point ends at `asOf`. */
  at: string;
  /** Consumption from the period's start up to `at`, cumulative (decimal string). */
  committed: string;
}

export interface BurnDownUnit {
  unitId: string;
  /** The child's subtree allocation now. */
  allocated: string;
  /** Cumulative consumption of the child's subtree, aligned with `points`. */
  committed: string[];
}

export interface BurnDownProjection {
  /** Consumption now (the last point). */
  committed: string;
  /** Average consumption per 24 h since the period's start, rounded down. */
  ratePerDay: string;
  /** Consumption at the period's end if the average rate holds, rounded down. */
  projectedAtEnd: string;
  /** When the projection reaches `allocated` (rounded up to the ms), if before the end. */
  exhaustsAt: string | null;
}

export interface BurnDownReport {
  budgetId: string;
  dimension: Dimension;
  unitId: string;
  period: { startsAt: string; endsAt: string; timeZone: string };
  asOf: string;
  bucket: 'day';
  ceiling: string;
  /** The unit's subtree allocation now. */
  allocated: string;
  points: BurnDownPoint[];
  units: BurnDownUnit[];
  projection: BurnDownProjection;
}

const instantOf = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * When an event's consumption happened: a debited usage at its own `occurredAt` (usage reported
 * late still lands on the day it was used); anything else at the command's instant
 * (`metadata.occurredAt`), or when the ledger recorded it.
 */
export function consumedAt(event: RecordedEvent<AccountEvent>): number {
  const usage = event.type === 'UsageDebited' ? instantOf(event.data.occurredAt) : undefined;
  return usage ?? instantOf(event.metadata.occurredAt) ?? event.recordedAt.getTime();
}

const addDays = (date: string, days: number): string => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
};

const firstDayOf = (period: BudgetPeriod): string =>
  period.kind === 'month' ? `${period.key}-01` : (period.key.split('..')[0] as string);

/**
 * The ends of the period's local days that fall before `cutoffMs`, then `cutoffMs` itself: the
 * instants the points are taken at. Empty when the period has not started.
 */
export function dayBoundaries(period: BudgetPeriod, cutoffMs: number): number[] {
  const startMs = Date.parse(period.startsAt);
  if (cutoffMs <= startMs) return [];
  const first = firstDayOf(period);
  const boundaries: number[] = [];
  // A period is a whole number of local days; the bound is only a guard.
  for (let day = 1; day <= 100_000; day += 1) {
    const end = startOfLocalDay(addDays(first, day), period.timeZone);
    if (end >= cutoffMs) break;
    boundaries.push(end);
  }
  boundaries.push(cutoffMs);
  return boundaries;
}

/** Index of the first boundary after `ms` (clamped to the last: consumption up to now). */
function bucketOf(boundaries: readonly number[], ms: number): number {
  let low = 0;
  let high = boundaries.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ms < (boundaries[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Integer projection at the average rate since the start (see docs/allocation-api.md). */
export function projectionOf(
  committed: bigint,
  allocated: bigint,
  startMs: number,
  endMs: number,
  nowMs: number,
): BurnDownProjection {
  const elapsed = BigInt(Math.min(nowMs, endMs) - startMs);
  if (elapsed <= 0n)
    return {
      committed: committed.toString(),
      ratePerDay: '0',
      projectedAtEnd: committed.toString(),
      exhaustsAt: null,
    };
  const length = BigInt(endMs - startMs);
  let exhaustsAt: string | null = null;
  if (committed > 0n) {
    // ceil(allocated × elapsed / committed) ms after the start.
    const offset = (allocated * elapsed + committed - 1n) / committed;
    if (offset < length) exhaustsAt = new Date(startMs + Number(offset)).toISOString();
  }
  return {
    committed: committed.toString(),
    ratePerDay: ((committed * BigInt(DAY_MS)) / elapsed).toString(),
    projectedAtEnd: ((committed * length) / elapsed).toString(),
    exhaustsAt,
  };
}

const cumulative = (deltas: readonly bigint[]): string[] => {
  let total = 0n;
  return deltas.map((delta) => (total += delta).toString());
};

@Injectable()
export class BurnDownQueries {
  constructor(
    private readonly store: PostgresEventStore,
    @Optional() private readonly logger?: JsonLogger,
  ) {}

  /**
   * The burn-down of `unitId` (default: the perimeter) in a budget, now. `BUDGET.NOT_FOUND`,
   * `UNIT.NOT_FOUND`, `UNIT.NOT_IN_BUDGET` (outside the perimeter without an account in it).
   */
  async burnDown(
    budgetId: string,
    options: { unitId?: string; now: Date },
  ): Promise<BurnDownReport> {
    return readConsistently(
      this.store,
      undefined,
      (read) => this.compute(read, budgetId, options),
      (streamId, error) =>
        this.logger?.write('warn', 'snapshot refresh failed', { streamId, err: error }, 'Read'),
    );
  }

  private async compute(
    read: ConsistentRead,
    budgetId: string,
    options: { unitId?: string; now: Date },
  ): Promise<BurnDownReport> {
    const budget = await requireBudget(read, budgetId);
    const period = budget.period as BudgetPeriod;
    const organisation = (await read.load(ORGANISATION_STREAM_ID, ORGANISATION_READ_FOLD)).state;
    const unitId = options.unitId ?? budget.perimeterUnitId;
    requireUnit(organisation, unitId);
    const accounts = new Map(
      (await accountStreamsOfBudget(read.tx.sql, this.store.schema, budgetId)).map((ref) => [
        ref.unitId,
        ref.streamId,
      ]),
    );
    requireInBudget(organisation, budget, unitId, accounts.has(unitId));

    const tree = subtree(organisation, unitId, { includeArchived: true });
    // Each unit of the subtree → the direct child whose series it adds to (-1: the unit itself).
    const seriesOf = new Map<string, number>([[unitId, -1]]);
    tree.children.forEach((child, index) => {
      for (const node of preOrder(child)) seriesOf.set(node.unitId, index);
    });
    const startMs = Date.parse(period.startsAt);
    const endMs = Date.parse(period.endsAt);
    const nowMs = options.now.getTime();
    const boundaries = dayBoundaries(period, Math.min(nowMs, endMs));
    const total = boundaries.map(() => 0n);
    const byChild = tree.children.map(() => boundaries.map(() => 0n));
    const allocatedByChild = tree.children.map(() => 0n);
    const childHasAccount = tree.children.map(() => false);
    let allocated = 0n;

    for (const [accountUnit, streamId] of accounts) {
      const series = seriesOf.get(accountUnit);
      if (series === undefined) continue;
      const balance = await this.foldAccount(read, streamId, (delta, atMs) => {
        if (boundaries.length === 0) return;
        const bucket = bucketOf(boundaries, atMs);
        total[bucket] = (total[bucket] as bigint) + delta;
        const child = byChild[series];
        if (child !== undefined) child[bucket] = (child[bucket] as bigint) + delta;
      });
      if (balance === null) continue;
      allocated += balance.allocated;
      if (series >= 0) {
        allocatedByChild[series] = (allocatedByChild[series] as bigint) + balance.allocated;
        childHasAccount[series] = true;
      }
    }

    const committed = total.reduce((sum, delta) => sum + delta, 0n);
    const points = cumulative(total).map((value, index) => ({
      at: new Date(boundaries[index] as number).toISOString(),
      committed: value,
    }));
    const units = tree.children
      .map((child, index) => ({ child, index }))
      // An archived child is listed only when its subtree holds an account.
      .filter(({ child, index }) => !child.archived || childHasAccount[index])
      .map(({ child, index }) => ({
        unitId: child.unitId,
        allocated: (allocatedByChild[index] as bigint).toString(),
        committed: cumulative(byChild[index] as bigint[]),
      }));
    return {
      budgetId,
      dimension: budget.dimension,
      unitId,
      period: { startsAt: period.startsAt, endsAt: period.endsAt, timeZone: period.timeZone },
      asOf: options.now.toISOString(),
      bucket: 'day',
      ceiling: budget.ceiling.toString(),
      allocated: allocated.toString(),
      points,
      units,
      projection: projectionOf(committed, allocated, startMs, endMs, nowMs),
    };
  }

  /** Folds one account from its first event, reporting each change of `committed`. */
  private async foldAccount(
    read: ConsistentRead,
    streamId: string,
    onConsumed: (delta: bigint, atMs: number) => void,
  ): Promise<UnitBalance | null> {
    let balance: UnitBalance | null = null;
    let fromVersion = 1n;
    for (;;) {
      const page = await read.tx.readStream<AccountEvent>(streamId, {
        fromVersion,
        maxCount: PAGE_SIZE,
      });
      for (const event of page) {
        const before = balance?.committed ?? 0n;
        balance = evolveUnitBalance(balance, event);
        const delta = balance.committed - before;
        if (delta !== 0n) onConsumed(delta, consumedAt(event));
      }
      if (page.length < PAGE_SIZE) return balance;
      fromVersion = (page.at(-1)?.streamVersion ?? fromVersion) + 1n;
    }
  }
}
