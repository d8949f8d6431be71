// Drawing data for the burn-down chart (contracts C): cumulative consumption per day, the
// children's curves, and the projection segment from now to period end. Numbers here are for
// drawing only; the figures shown as text come from the API's strings (BigInt).
import type { BurnDown } from '../api/types';
import { toBig, toChartNumber } from './format';

export interface BurnDownRow {
  /** Epoch ms (x axis). */
  t: number;
  /** Cumulative consumption of the unit's subtree; absent on the projection-only row. */
  committed?: number;
  /** The projection line: set at asOf and at period end. */
  projection?: number;
  /** Per child unit: `unit:<unitId>` → its cumulative consumption. */
  [unitSeries: `unit:${string}`]: number | undefined;
}

export interface BurnDownChart {
  rows: BurnDownRow[];
  startsAt: number;
  endsAt: number;
  asOf: number;
  /** Children, in API order, with the series key their curve uses. */
  units: { unitId: string; key: `unit:${string}`; allocated: string }[];
  /** Top of the y axis: enough for ceiling, allocations, curves and projection. */
  yMax: number;
}

export function unitKey(unitId: string): `unit:${string}` {
  return `unit:${unitId}`;
}

export function burnDownChart(data: BurnDown): BurnDownChart {
  const startsAt = Date.parse(data.period.startsAt);
  const endsAt = Date.parse(data.period.endsAt);
  const asOf = Date.parse(data.asOf);
  const units = data.units.map((unit) => ({
    unitId: unit.unitId,
    key: unitKey(unit.unitId),
    allocated: unit.allocated,
  }));

  const first: BurnDownRow = { t: startsAt, committed: 0 };
  for (const unit of units) first[unit.key] = 0;
  const rows: BurnDownRow[] = [first];
  data.points.forEach((point, index) => {
    const row: BurnDownRow = { t: Date.parse(point.at), committed: toChartNumber(point.committed) };
    for (const unit of data.units) {
      const value = unit.committed[index];
      if (value !== undefined) row[unitKey(unit.unitId)] = toChartNumber(value);
    }
    rows.push(row);
  });
  // The projection starts where consumption is now and ends at the period's end.
  const last = rows[rows.length - 1];
  const now = toChartNumber(data.projection.committed);
  if (last && last.t === asOf) last.projection = now;
  else rows.push({ t: asOf, committed: now, projection: now });
  if (endsAt > asOf)
    rows.push({ t: endsAt, projection: toChartNumber(data.projection.projectedAtEnd) });

  const candidates = [
    toBig(data.ceiling),
    toBig(data.allocated),
    toBig(data.projection.projectedAtEnd),
    toBig(data.projection.committed),
    ...data.units.map((unit) => toBig(unit.allocated)),
  ];
  const top = candidates.reduce((max, value) => (value > max ? value : max), 0n);
  return { rows, startsAt, endsAt, asOf, units, yMax: toChartNumber(top) };
}

/** Consumed share of `allocated` and where the projection lands, as text-ready strings. */
export function burnDownSummary(data: BurnDown): {
  consumed: bigint;
  allocated: bigint;
  projectedAtEnd: bigint;
  /** Projected − allocated: > 0 means the allocation runs out before period end. */
  projectedOver: bigint;
  exhaustsAt: string | null;
} {
  const consumed = toBig(data.projection.committed);
  const allocated = toBig(data.allocated);
  const projectedAtEnd = toBig(data.projection.projectedAtEnd);
  return {
    consumed,
    allocated,
    projectedAtEnd,
    projectedOver: projectedAtEnd - allocated,
    exhaustsAt: data.projection.exhaustsAt,
  };
}
