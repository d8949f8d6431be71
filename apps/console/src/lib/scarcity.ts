// Shapes the refusals read model (GET /v1/budgets/{id}/refusals, docs/allocation-api.md) into
// chart rows: one row per bucket, one numeric key per reason (or usefulness class), zero-filled
// so stacked bars line up. Counts are small integers (JSON numbers in the API).
import type { RefusalPoint } from '../api/types';

export interface StackedRows {
  /** The series keys in a stable order (most refusals first, then by name). */
  keys: string[];
  /** `{ at, label, [key]: count }`, oldest first, one per distinct `at`. */
  rows: Array<Record<string, string | number>>;
}

export type RefusalDimension = 'reason' | 'usefulnessClass';

export function stackRefusals(
  series: readonly RefusalPoint[],
  by: RefusalDimension,
  formatAt: (at: string) => string = (at) => at,
): StackedRows {
  const perKey = new Map<string, number>();
  const perBucket = new Map<string, Map<string, number>>();
  for (const point of series) {
    const key = point[by];
    perKey.set(key, (perKey.get(key) ?? 0) + point.count);
    const bucket = perBucket.get(point.at) ?? new Map<string, number>();
    bucket.set(key, (bucket.get(key) ?? 0) + point.count);
    perBucket.set(point.at, bucket);
  }
  const keys = [...perKey.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .map(([key]) => key);
  const rows = [...perBucket.entries()]
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b) || a.localeCompare(b))
    .map(([at, counts]) => {
      const row: Record<string, string | number> = { at, label: formatAt(at) };
      for (const key of keys) row[key] = counts.get(key) ?? 0;
      return row;
    });
  return { keys, rows };
}

/** Bucket start → a short label: "29 Nov" for a day bucket, "29 Nov 14:00" for an hour (UTC). */
export function bucketLabel(at: string, bucket: 'hour' | 'day'): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  const day = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''}`;
  if (bucket === 'day') return day;
  return `${day} ${String(date.getUTCHours()).padStart(2, '0')}:00`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `{ "QUOTA.EXCEEDED": 10, … }` → entries sorted by count (desc) then name. */
export function sortedCounts(counts: Readonly<Record<string, number>>): Array<[string, number]> {
  return Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}
