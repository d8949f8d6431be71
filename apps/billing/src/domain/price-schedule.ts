// Price schedules: effective-dated, per currency, versions 1..n. Parsing of the API input reports
// every problem at once; the event form keeps every number as a decimal integer string.
import type { OverrunTierData, PeriodKey, PriceSchedulePublishedData } from './billing.events';
import { BILLING_ERROR, BillingError, type ValidationIssue } from './errors';
import {
  DecimalFormatError,
  MAX_SURCHARGE_PPM,
  PPM_PER_UNIT,
  parseIntegerString,
  parseMoneyToMicro,
  parseMultiplierToPpm,
  parsePercentToPpm,
} from './money';
import { periodBounds } from './periods';
import { textProblem } from './text';

export interface OverrunTier {
  /** Where the tier starts, as a share of the allocation in ppm (the first tier at 0). */
  readonly fromShareOfAllocationPpm: bigint;
  /** Surcharge on the overrun part, ppm (250_000n = +25 %). */
  readonly surchargePpm: bigint;
}

export interface PriceSchedule {
  readonly currency: string;
  readonly version: number;
  readonly effectiveFrom: Date;
  readonly carbonPricePerTonneMicro: bigint;
  readonly energyPricePerKwhMicro: bigint | null;
  readonly classMultipliersPpm: ReadonlyMap<string, bigint>;
  readonly defaultMultiplierPpm: bigint;
  readonly overrunTiers: readonly OverrunTier[];
  readonly reason: string | null;
}

/** The API body of a publication (all numbers as decimal strings). */
export interface PriceScheduleInput {
  currency: string;
  /** ISO-8601 instant with an offset, e.g. "2026-11-01T00:00:00Z". */
  effectiveFrom: string;
  /** Currency units per tonne CO2e, ≤ 6 decimals, e.g. "85.00". */
  carbonPricePerTonne: string;
  /** Currency units per kWh, ≤ 6 decimals; absent / null = no energy component. */
  energyPricePerKwh?: string | null;
  /** Multiplier per usefulness class, ≤ 6 decimals, 0 … 100. */
  classMultipliers?: Record<string, string>;
  /** Multiplier of any other class (and of unknown class); default "1". */
  defaultMultiplier?: string;
  overrunTiers?: { fromPercentOfAllocation: string; surchargePercent: string }[];
  reason?: string | null;
}

export const SCHEDULE_ISSUE = {
  INVALID_BODY: 'SCHEDULE.INVALID_BODY',
  UNKNOWN_FIELD: 'SCHEDULE.UNKNOWN_FIELD',
  REQUIRED: 'SCHEDULE.REQUIRED',
  INVALID_TYPE: 'SCHEDULE.INVALID_TYPE',
  INVALID_CURRENCY: 'SCHEDULE.INVALID_CURRENCY',
  INVALID_INSTANT: 'SCHEDULE.INVALID_INSTANT',
  INVALID_AMOUNT: 'SCHEDULE.INVALID_AMOUNT',
  OUT_OF_RANGE: 'SCHEDULE.OUT_OF_RANGE',
  INVALID_CLASS: 'SCHEDULE.INVALID_CLASS',
  TIERS_NOT_ASCENDING: 'SCHEDULE.TIERS_NOT_ASCENDING',
  FIRST_TIER_NOT_ZERO: 'SCHEDULE.FIRST_TIER_NOT_ZERO',
  TOO_MANY: 'SCHEDULE.TOO_MANY',
  TOO_LONG: 'SCHEDULE.TOO_LONG',
  INVALID_TEXT: 'SCHEDULE.INVALID_TEXT',
} as const;

export const SCHEDULE_LIMITS = {
  maxClasses: 64,
  maxTiers: 10,
  maxReasonLength: 500,
  /** A tier may start at most at 10 000 % of the allocation. */
  maxTierFromPpm: 100n * PPM_PER_UNIT,
  maxSurchargePpm: MAX_SURCHARGE_PPM,
  minYear: 2000,
  maxYear: 2999,
} as const;

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const CLASS_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/i;
const INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

const TOP_FIELDS = new Set([
  'currency',
  'effectiveFrom',
  'carbonPricePerTonne',
  'energyPricePerKwh',
  'classMultipliers',
  'defaultMultiplier',
  'overrunTiers',
  'reason',
]);
const TIER_FIELDS = new Set(['fromPercentOfAllocation', 'surchargePercent']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A strict ISO-8601 instant with an explicit offset (Z or ±hh:mm), ≤ millisecond precision,
 * calendar-valid (no 30 February), year 2000–2999. Null when it is not one.
 */
export function parseInstant(input: unknown): Date | null {
  if (typeof input !== 'string') return null;
  const match = INSTANT_PATTERN.exec(input);
  if (match === null) return null;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(match[i]));
  const second = Number(match[6] ?? '0');
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > new Date(Date.UTC(year, month, 0)).getUTCDate() ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  const offset = match[8] ?? 'Z';
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) {
    return null;
  }
  const date = new Date(input);
  return Number.isNaN(date.getTime()) ? null : date;
}

type Parsed = Omit<PriceSchedule, 'version'>;

/** Validates the API input; every problem is reported at once. */
export function parsePriceScheduleInput(
  input: unknown,
): { ok: true; value: Parsed } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const issue = (path: string, code: string, message: string): void => {
    issues.push({ path, code, message });
  };
  if (!isPlainObject(input)) {
    issue('', SCHEDULE_ISSUE.INVALID_BODY, 'the body must be a JSON object');
    return { ok: false, issues };
  }
  for (const key of Object.keys(input)) {
    if (!TOP_FIELDS.has(key)) issue(key, SCHEDULE_ISSUE.UNKNOWN_FIELD, `unknown field ${key}`);
  }

  const decimal = (path: string, parse: () => bigint): bigint | null => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof DecimalFormatError) {
        issue(
          path,
          error.problem === 'out_of_range'
            ? SCHEDULE_ISSUE.OUT_OF_RANGE
            : SCHEDULE_ISSUE.INVALID_AMOUNT,
          error.message,
        );
        return null;
      }
      throw error;
    }
  };

  // currency
  let currency: string | null = null;
  if (input.currency === undefined)
    issue('currency', SCHEDULE_ISSUE.REQUIRED, 'currency is required');
  else if (typeof input.currency !== 'string' || !CURRENCY_PATTERN.test(input.currency)) {
    issue(
      'currency',
      SCHEDULE_ISSUE.INVALID_CURRENCY,
      'currency must be an ISO 4217 code like "EUR"',
    );
  } else currency = input.currency;

  // effectiveFrom
  let effectiveFrom: Date | null = null;
  if (input.effectiveFrom === undefined) {
    issue('effectiveFrom', SCHEDULE_ISSUE.REQUIRED, 'effectiveFrom is required');
  } else {
    effectiveFrom = parseInstant(input.effectiveFrom);
    if (effectiveFrom === null) {
      issue(
        'effectiveFrom',
        SCHEDULE_ISSUE.INVALID_INSTANT,
        'effectiveFrom must be an ISO-8601 instant with an offset, e.g. "2026-11-01T00:00:00Z"',
      );
    } else {
      const year = effectiveFrom.getUTCFullYear();
      if (year < SCHEDULE_LIMITS.minYear || year > SCHEDULE_LIMITS.maxYear) {
        issue(
          'effectiveFrom',
          SCHEDULE_ISSUE.OUT_OF_RANGE,
          `effectiveFrom must be within the years ${SCHEDULE_LIMITS.minYear}–${SCHEDULE_LIMITS.maxYear}`,
        );
        effectiveFrom = null;
      }
    }
  }

  // prices
  let carbon: bigint | null = null;
  if (input.carbonPricePerTonne === undefined) {
    issue('carbonPricePerTonne', SCHEDULE_ISSUE.REQUIRED, 'carbonPricePerTonne is required');
  } else {
    carbon = decimal('carbonPricePerTonne', () =>
      parseMoneyToMicro(input.carbonPricePerTonne, 'carbonPricePerTonne'),
    );
  }
  let energy: bigint | null = null;
  let energyOk = true;
  if (input.energyPricePerKwh !== undefined && input.energyPricePerKwh !== null) {
    energy = decimal('energyPricePerKwh', () =>
      parseMoneyToMicro(input.energyPricePerKwh, 'energyPricePerKwh'),
    );
    energyOk = energy !== null;
  }

  // multipliers
  const classMultipliers = new Map<string, bigint>();
  if (input.classMultipliers !== undefined) {
    if (!isPlainObject(input.classMultipliers)) {
      issue('classMultipliers', SCHEDULE_ISSUE.INVALID_TYPE, 'classMultipliers must be an object');
    } else {
      const entries = Object.entries(input.classMultipliers);
      if (entries.length > SCHEDULE_LIMITS.maxClasses) {
        issue(
          'classMultipliers',
          SCHEDULE_ISSUE.TOO_MANY,
          `at most ${SCHEDULE_LIMITS.maxClasses} class multipliers`,
        );
      }
      for (const [name, value] of entries.slice(0, SCHEDULE_LIMITS.maxClasses)) {
        const path = `classMultipliers.${name}`;
        if (!CLASS_NAME_PATTERN.test(name)) {
          issue(
            path,
            SCHEDULE_ISSUE.INVALID_CLASS,
            'a class name is a letter then up to 63 of [a-z0-9_-]',
          );
          continue;
        }
        const ppm = decimal(path, () => parseMultiplierToPpm(value, path));
        if (ppm !== null) classMultipliers.set(name, ppm);
      }
    }
  }
  let defaultMultiplier: bigint | null = PPM_PER_UNIT;
  if (input.defaultMultiplier !== undefined) {
    defaultMultiplier = decimal('defaultMultiplier', () =>
      parseMultiplierToPpm(input.defaultMultiplier, 'defaultMultiplier'),
    );
  }

  // tiers
  const tiers: OverrunTier[] = [];
  let tiersOk = true;
  if (input.overrunTiers !== undefined) {
    if (!Array.isArray(input.overrunTiers)) {
      issue('overrunTiers', SCHEDULE_ISSUE.INVALID_TYPE, 'overrunTiers must be an array');
      tiersOk = false;
    } else {
      const list: unknown[] = input.overrunTiers;
      if (list.length > SCHEDULE_LIMITS.maxTiers) {
        issue('overrunTiers', SCHEDULE_ISSUE.TOO_MANY, `at most ${SCHEDULE_LIMITS.maxTiers} tiers`);
        tiersOk = false;
      }
      list.slice(0, SCHEDULE_LIMITS.maxTiers).forEach((raw, index) => {
        const path = `overrunTiers[${index}]`;
        if (!isPlainObject(raw)) {
          issue(path, SCHEDULE_ISSUE.INVALID_TYPE, 'a tier is an object');
          tiersOk = false;
          return;
        }
        for (const key of Object.keys(raw)) {
          if (!TIER_FIELDS.has(key)) {
            issue(`${path}.${key}`, SCHEDULE_ISSUE.UNKNOWN_FIELD, `unknown field ${key}`);
          }
        }
        const from =
          raw.fromPercentOfAllocation === undefined
            ? (issue(`${path}.fromPercentOfAllocation`, SCHEDULE_ISSUE.REQUIRED, 'required'), null)
            : decimal(`${path}.fromPercentOfAllocation`, () =>
                parsePercentToPpm(raw.fromPercentOfAllocation, `${path}.fromPercentOfAllocation`, {
                  min: 0n,
                  max: SCHEDULE_LIMITS.maxTierFromPpm,
                }),
              );
        const surcharge =
          raw.surchargePercent === undefined
            ? (issue(`${path}.surchargePercent`, SCHEDULE_ISSUE.REQUIRED, 'required'), null)
            : decimal(`${path}.surchargePercent`, () =>
                parsePercentToPpm(raw.surchargePercent, `${path}.surchargePercent`, {
                  min: 0n,
                  max: SCHEDULE_LIMITS.maxSurchargePpm,
                }),
              );
        if (from === null || surcharge === null) {
          tiersOk = false;
          return;
        }
        if (index === 0 && from !== 0n) {
          issue(
            `${path}.fromPercentOfAllocation`,
            SCHEDULE_ISSUE.FIRST_TIER_NOT_ZERO,
            'the first tier starts at "0"',
          );
        }
        const previous = tiers[tiers.length - 1];
        if (
          index > 0 &&
          previous !== undefined &&
          tiers.length === index &&
          from <= previous.fromShareOfAllocationPpm
        ) {
          issue(
            `${path}.fromPercentOfAllocation`,
            SCHEDULE_ISSUE.TIERS_NOT_ASCENDING,
            'tiers must start at strictly ascending percentages',
          );
        }
        tiers.push({ fromShareOfAllocationPpm: from, surchargePpm: surcharge });
      });
    }
  }

  // reason
  let reason: string | null = null;
  if (input.reason !== undefined && input.reason !== null) {
    if (typeof input.reason !== 'string') {
      issue('reason', SCHEDULE_ISSUE.INVALID_TYPE, 'reason must be a string');
    } else if (input.reason.length > SCHEDULE_LIMITS.maxReasonLength) {
      issue(
        'reason',
        SCHEDULE_ISSUE.TOO_LONG,
        `reason is at most ${SCHEDULE_LIMITS.maxReasonLength} characters`,
      );
    } else {
      const problem = textProblem(input.reason, { allowLineBreaks: true });
      if (problem === undefined) reason = input.reason;
      else issue('reason', SCHEDULE_ISSUE.INVALID_TEXT, `reason ${problem}`);
    }
  }

  if (
    issues.length > 0 ||
    currency === null ||
    effectiveFrom === null ||
    carbon === null ||
    !energyOk ||
    defaultMultiplier === null ||
    !tiersOk
  ) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    value: {
      currency,
      effectiveFrom,
      carbonPricePerTonneMicro: carbon,
      energyPricePerKwhMicro: energy,
      classMultipliersPpm: classMultipliers,
      defaultMultiplierPpm: defaultMultiplier,
      overrunTiers: tiers,
      reason,
    },
  };
}

/** Parses or throws BILLING.INVALID_SCHEDULE with details.issues. */
export function parsePriceScheduleInputOrThrow(input: unknown): Parsed {
  const result = parsePriceScheduleInput(input);
  if (result.ok) return result.value;
  throw new BillingError(BILLING_ERROR.INVALID_SCHEDULE, 'the price schedule is invalid', {
    issues: result.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
  });
}

/** Class names sorted in code-point order so the event (and its hash) is deterministic. */
function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function scheduleToData(s: PriceSchedule): PriceSchedulePublishedData {
  const classMultipliersPpm: Record<string, string> = {};
  for (const [name, ppm] of sortedEntries(s.classMultipliersPpm))
    classMultipliersPpm[name] = ppm.toString();
  return {
    currency: s.currency,
    version: s.version,
    effectiveFrom: s.effectiveFrom.toISOString(),
    carbonPricePerTonneMicro: s.carbonPricePerTonneMicro.toString(),
    energyPricePerKwhMicro:
      s.energyPricePerKwhMicro === null ? null : s.energyPricePerKwhMicro.toString(),
    classMultipliersPpm,
    defaultMultiplierPpm: s.defaultMultiplierPpm.toString(),
    overrunTiers: s.overrunTiers.map((t): OverrunTierData => ({
      fromShareOfAllocationPpm: t.fromShareOfAllocationPpm.toString(),
      surchargePpm: t.surchargePpm.toString(),
    })),
    reason: s.reason,
  };
}

export function scheduleFromData(d: PriceSchedulePublishedData): PriceSchedule {
  const classMultipliersPpm = new Map<string, bigint>();
  for (const [name, ppm] of Object.entries(d.classMultipliersPpm)) {
    classMultipliersPpm.set(name, parseIntegerString(ppm, `classMultipliersPpm.${name}`));
  }
  return {
    currency: d.currency,
    version: d.version,
    effectiveFrom: new Date(d.effectiveFrom),
    carbonPricePerTonneMicro: parseIntegerString(
      d.carbonPricePerTonneMicro,
      'carbonPricePerTonneMicro',
    ),
    energyPricePerKwhMicro:
      d.energyPricePerKwhMicro === null
        ? null
        : parseIntegerString(d.energyPricePerKwhMicro, 'energyPricePerKwhMicro'),
    classMultipliersPpm,
    defaultMultiplierPpm: parseIntegerString(d.defaultMultiplierPpm, 'defaultMultiplierPpm'),
    overrunTiers: d.overrunTiers.map((t) => ({
      fromShareOfAllocationPpm: parseIntegerString(
        t.fromShareOfAllocationPpm,
        'fromShareOfAllocationPpm',
      ),
      surchargePpm: parseIntegerString(t.surchargePpm, 'surchargePpm'),
    })),
    reason: d.reason,
  };
}

/**
 * The version effective at `at`: the greatest effectiveFrom ≤ at (ties: the higher version), so
 * a version covers [its effectiveFrom, the next version's). Null when none is effective yet.
 */
export function selectSchedule(versions: readonly PriceSchedule[], at: Date): PriceSchedule | null {
  const time = at.getTime();
  let best: PriceSchedule | null = null;
  for (const v of versions) {
    const from = v.effectiveFrom.getTime();
    if (from > time) continue;
    if (
      best === null ||
      from > best.effectiveFrom.getTime() ||
      (from === best.effectiveFrom.getTime() && v.version > best.version)
    ) {
      best = v;
    }
  }
  return best;
}

/**
 * Where a new version may start. Versions are open-ended forward (one is in force until the next
 * starts), so a new one either starts strictly after the latest (and runs on) or strictly before
 * the earliest (and runs until the earliest starts: how usage older than every version, held
 * for want of a price, gets one). Starting between two versions would re-draw an existing
 * window: BILLING.SCHEDULE_NOT_AFTER_LATEST. The new window must not touch a closed period
 * (BILLING.SCHEDULE_IN_CLOSED_PERIOD), so nothing closed could ever be priced otherwise. Lines
 * already booked are never re-priced either way.
 */
export function checkPublication(
  versions: readonly PriceSchedule[],
  effectiveFrom: Date,
  closedPeriods: readonly PeriodKey[],
): void {
  const from = effectiveFrom.getTime();
  let earliest: PriceSchedule | null = null;
  let latest: PriceSchedule | null = null;
  for (const v of versions) {
    if (earliest === null || v.effectiveFrom.getTime() < earliest.effectiveFrom.getTime())
      earliest = v;
    if (latest === null || v.effectiveFrom.getTime() > latest.effectiveFrom.getTime()) latest = v;
  }
  let windowEnd = Number.POSITIVE_INFINITY;
  if (latest !== null && earliest !== null && from <= latest.effectiveFrom.getTime()) {
    if (from >= earliest.effectiveFrom.getTime()) {
      throw new BillingError(
        BILLING_ERROR.SCHEDULE_NOT_AFTER_LATEST,
        `effectiveFrom must be after ${latest.effectiveFrom.toISOString()} (version ${latest.version}) ` +
          `or before ${earliest.effectiveFrom.toISOString()} (version ${earliest.version}); ` +
          'a version cannot start between existing ones',
        {
          currency: latest.currency,
          latestVersion: latest.version,
          latestEffectiveFrom: latest.effectiveFrom.toISOString(),
          earliestEffectiveFrom: earliest.effectiveFrom.toISOString(),
          effectiveFrom: effectiveFrom.toISOString(),
        },
      );
    }
    windowEnd = earliest.effectiveFrom.getTime();
  }
  const touched = [...closedPeriods].sort().filter((period) => {
    const bounds = periodBounds(period);
    return bounds.startsAt.getTime() < windowEnd && bounds.endsAt.getTime() > from;
  });
  const last = touched[touched.length - 1];
  if (last !== undefined) {
    throw new BillingError(
      BILLING_ERROR.SCHEDULE_IN_CLOSED_PERIOD,
      `the new version would be in force during the closed period ${last}`,
      {
        closedPeriod: last,
        effectiveFrom: effectiveFrom.toISOString(),
        effectiveUntil: Number.isFinite(windowEnd) ? new Date(windowEnd).toISOString() : null,
      },
    );
  }
}
