// org.plafond.usage.adjusted.v1: a correction to a recorded usage after a factor set was
// republished for its window, on plafond.usage.recorded.v1 (keyed by unit, like the usage).
// Recorded usage is never rewritten: recorded + the sum of its adjustments = the current value.

export const USAGE_ADJUSTED_V1_TYPE = 'org.plafond.usage.adjusted.v1';

/** data of a usage.adjusted v1 CloudEvent. Amounts are decimal integer strings (micro-units). */
export interface UsageAdjustedV1Json {
  /** The reported usage's CloudEvent `source` and `id`. */
  reportedSource: string;
  reportedId: string;
  /** The CloudEvent id of the usage.recorded event this adjusts. */
  recordedEventId: string;
  unitId: string;
  useCase: string;
  occurredAt: string;
  method: string;
  fromFactorSetVersion: string;
  toFactorSetVersion: string;
  /** Signed deltas to add to the recorded values. */
  energyDeltaMicroWh: string;
  carbonDeltaMicroGrams: string;
  /** The values after this adjustment. */
  energyMicroWh: string;
  carbonMicroGrams: string;
}
