// Turns several rebound reports (GET /v1/reports/rebound?period=…, one per window) into series per
// unit — energy per request against total energy — and says in words why a unit is flagged.
import type { ReboundReport, ReboundRow } from '../api/types';
import { toBig } from './format';

export interface UnitWindow {
  window: string;
  requests: bigint;
  energyMicroWh: bigint;
  /** Exact decimal string from the API (µWh, 6 decimals), null without requests. */
  energyPerRequestMicroWh: string | null;
  energyPerRequestChangePercent: string | null;
  totalEnergyChangePercent: string | null;
  rebound: boolean;
}

export interface UnitSeries {
  unitId: string;
  name: string;
  scope: 'unit' | 'subtree';
  windows: UnitWindow[];
  /** Windows in which the unit was flagged (its efficiency gain was eaten by volume). */
  flaggedIn: string[];
}

/**
 * Reports in window order → one series per unit and scope (a unit with usage of its own and
 * sub-units has a `unit` row and a `subtree` row), in first-seen order.
 */
export function unitSeries(reports: readonly ReboundReport[]): UnitSeries[] {
  const byUnit = new Map<string, UnitSeries>();
  for (const report of reports) {
    for (const row of report.rows) {
      const key = `${row.scope}|${row.unitId}`;
      const series = byUnit.get(key) ?? {
        unitId: row.unitId,
        name: row.name,
        scope: row.scope,
        windows: [],
        flaggedIn: [],
      };
      series.windows.push({
        window: report.period,
        requests: toBig(row.current.requests),
        energyMicroWh: toBig(row.current.energyMicroWh),
        energyPerRequestMicroWh: row.current.energyPerRequestMicroWh,
        energyPerRequestChangePercent: row.energyPerRequestChangePercent,
        totalEnergyChangePercent: row.totalEnergyChangePercent,
        rebound: row.rebound,
      });
      if (row.rebound) series.flaggedIn.push(report.period);
      byUnit.set(key, series);
    }
  }
  return [...byUnit.values()];
}

/** Why a row is flagged, in words: "energy per request −20.00 % but total energy +20.00 % (2026-11-29 vs 2026-11-28)". */
export function reboundReason(row: ReboundRow, period: string, previousPeriod: string): string {
  const perRequest = signed(row.energyPerRequestChangePercent);
  const total = signed(row.totalEnergyChangePercent);
  return `energy per request ${perRequest} but total energy ${total} (${period} vs ${previousPeriod}): the efficiency gain was eaten by volume`;
}

function signed(percent: string | null): string {
  if (percent === null) return 'n/a';
  return `${percent.startsWith('-') ? '−' + percent.slice(1) : '+' + percent} %`;
}

/**
 * Chart points for one unit. Number only for drawing: energy per request in Wh and total energy
 * in kWh (the table beside the chart shows the exact strings).
 */
export function chartPoints(
  series: UnitSeries,
): Array<{ window: string; perRequestWh: number | null; totalKWh: number }> {
  return series.windows.map((window) => ({
    window: window.window,
    perRequestWh:
      window.energyPerRequestMicroWh === null
        ? null
        : Number(window.energyPerRequestMicroWh) / 1_000_000,
    totalKWh: Number(window.energyMicroWh) / 1_000_000_000,
  }));
}

/** Days of `month` ("2026-11") from the 1st up to `today` (inclusive, UTC) or the month's end. */
export function daysOfMonth(month: string, today: Date): string[] {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (match === null) throw new Error(`not a month: ${month}`);
  const year = Number(match[1]);
  const monthIndex = Number(match[2]) - 1;
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  const sameMonth = today.getUTCFullYear() === year && today.getUTCMonth() === monthIndex;
  const beforeMonth = Date.UTC(year, monthIndex, 1) > today.getTime();
  const until = beforeMonth ? 0 : sameMonth ? today.getUTCDate() : lastDay;
  return Array.from(
    { length: until },
    (_, index) => `${month}-${String(index + 1).padStart(2, '0')}`,
  );
}

/** The `count` months ending with `month`, oldest first: ("2026-11", 3) → 2026-09, 2026-10, 2026-11. */
export function monthsEndingWith(month: string, count: number): string[] {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (match === null) throw new Error(`not a month: ${month}`);
  const base = Number(match[1]) * 12 + Number(match[2]) - 1;
  return Array.from({ length: count }, (_, index) => {
    const value = base - (count - 1 - index);
    return `${Math.floor(value / 12)}-${String((value % 12) + 1).padStart(2, '0')}`;
  });
}

/** "2026-11" of a date, UTC. */
export function monthOf(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}
