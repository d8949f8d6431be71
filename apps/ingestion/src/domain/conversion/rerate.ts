// Re-rating: when a corrected factor set is published for a past window, every usage it now
// rates gets an adjustment (a delta, possibly negative) to the values it carries. Recorded usage
// is never rewritten; recorded value + adjustments = value under the set in force.
import type { UsageMethod, UsageRecordedV1 } from '@plafond/contracts';
import type { ConversionError } from './errors';
import { convert, type ConversionBreakdown } from './convert';
import { selectFactorSet } from './factor-set.select';
import type { FactorSet } from './factor-set.types';

/**
 * A usage as it stands: its reported quantities, and the energy, carbon, method and factor-set
 * version it currently carries, i.e. the recorded values plus every adjustment already applied.
 */
export type RatedUsage = Pick<
  UsageRecordedV1,
  | 'reportedSource'
  | 'reportedId'
  | 'unitId'
  | 'useCase'
  | 'occurredAt'
  | 'model'
  | 'responseModel'
  | 'region'
  | 'inputTokens'
  | 'outputTokens'
  | 'gpuMs'
  | 'accelerator'
  | 'energyMicroWh'
  | 'carbonMicroGrams'
  | 'method'
  | 'factorSetVersion'
>;

export interface UsageAdjustment {
  readonly reportedSource: string;
  readonly reportedId: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly occurredAt: string;
  readonly method: UsageMethod;
  readonly fromFactorSetVersion: string;
  readonly toFactorSetVersion: string;
  /** new − current: what to add to the usage's values. Zero or negative deltas are possible. */
  readonly energyDeltaMicroWh: bigint;
  readonly carbonDeltaMicroGrams: bigint;
  /** The values after the adjustment. */
  readonly energyMicroWh: bigint;
  readonly carbonMicroGrams: bigint;
  readonly breakdown: ConversionBreakdown;
}

export type RerateSkipReason = 'not-covered' | 'already-rated';

export interface RerateResult {
  readonly adjustments: readonly UsageAdjustment[];
  /** not-covered: another set rates the usage; already-rated: it carries the new version. */
  readonly skipped: readonly {
    readonly reportedSource: string;
    readonly reportedId: string;
    readonly reason: RerateSkipReason;
  }[];
  /** Usages the new set cannot convert (e.g. an unknown model and no default model). */
  readonly failures: readonly {
    readonly reportedSource: string;
    readonly reportedId: string;
    readonly error: ConversionError;
  }[];
  /** Sums of the adjustments' deltas. */
  readonly energyDeltaMicroWh: bigint;
  readonly carbonDeltaMicroGrams: bigint;
}

/** One call handles one page of a window; the caller pages through larger windows. */
export const RERATE_MAX_EVENTS = 10_000;

export interface RerateInput {
  readonly events: readonly RatedUsage[];
  /** Sets published before `newSet` (or up to and including it), oldest first. */
  readonly published: readonly FactorSet[];
  readonly newSet: FactorSet;
}

/**
 * Adjustments that bring each usage of `events` to its value under `newSet`, for the usages that
 * `newSet` rates once published (it wins over its window, unless a later set overrides it).
 * Measured usage keeps its energy; only its carbon moves with the grid intensity.
 * Σ deltas = total under the new catalogue − total the usages carried, exactly.
 */
export function rerate(input: RerateInput): RerateResult {
  const { events, newSet } = input;
  if (events.length > RERATE_MAX_EVENTS) {
    throw new RangeError(`rerate takes at most ${RERATE_MAX_EVENTS} usages per call`);
  }
  const isPublished = input.published.some((set) => set.version === newSet.version);
  const catalogue = isPublished ? input.published : [...input.published, newSet];
  const adjustments: UsageAdjustment[] = [];
  const skipped: RerateResult['skipped'][number][] = [];
  const failures: RerateResult['failures'][number][] = [];
  let energyDeltaMicroWh = 0n;
  let carbonDeltaMicroGrams = 0n;
  for (const usage of events) {
    const identity = { reportedSource: usage.reportedSource, reportedId: usage.reportedId };
    const applicable = selectFactorSet(catalogue, usage.occurredAt);
    if (!applicable.ok) {
      failures.push({ ...identity, error: applicable.error });
      continue;
    }
    if (applicable.value.version !== newSet.version) {
      skipped.push({ ...identity, reason: 'not-covered' });
      continue;
    }
    if (usage.factorSetVersion === newSet.version) {
      skipped.push({ ...identity, reason: 'already-rated' });
      continue;
    }
    const measured = usage.method === 'measured';
    const converted = convert(
      { ...usage, ...(measured ? { measuredEnergyMicroWh: usage.energyMicroWh } : {}) },
      newSet,
    );
    if (!converted.ok) {
      failures.push({ ...identity, error: converted.error });
      continue;
    }
    const result = converted.value;
    const adjustment: UsageAdjustment = {
      ...identity,
      unitId: usage.unitId,
      useCase: usage.useCase,
      occurredAt: usage.occurredAt,
      method: result.method,
      fromFactorSetVersion: usage.factorSetVersion,
      toFactorSetVersion: newSet.version,
      energyDeltaMicroWh: result.energyMicroWh - usage.energyMicroWh,
      carbonDeltaMicroGrams: result.carbonMicroGrams - usage.carbonMicroGrams,
      energyMicroWh: result.energyMicroWh,
      carbonMicroGrams: result.carbonMicroGrams,
      breakdown: result.breakdown,
    };
    adjustments.push(adjustment);
    energyDeltaMicroWh += adjustment.energyDeltaMicroWh;
    carbonDeltaMicroGrams += adjustment.carbonDeltaMicroGrams;
  }
  return { adjustments, skipped, failures, energyDeltaMicroWh, carbonDeltaMicroGrams };
}
