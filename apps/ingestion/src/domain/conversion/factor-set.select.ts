// Which factor set rates a usage. Sets are published in order (the ingestion ledger keeps them
// in one stream) and the one published last wins over its own window: a correction for a past
// quarter overrides its predecessor there and nowhere else.
import {
  CONVERSION_ERROR,
  FACTORSET_ISSUE,
  conversionError,
  type ConversionError,
  type FactorSetIssue,
  type Outcome,
} from './errors';
import type { FactorSet } from './factor-set.types';

/**
 * Milliseconds since the epoch of an RFC 3339 instant, or undefined when it is not one. A leap
 * second (`23:59:60`, which RFC 3339 allows and Date.parse refuses) counts as `23:59:59`.
 */
export function instantMillis(text: string): number | undefined {
  const millis = Date.parse(text.replace(/(T\d{2}:\d{2}):60(?=[.Zz+-])/i, '$1:59'));
  return Number.isNaN(millis) ? undefined : millis;
}

/** Whether `set` is effective at `millis`: effectiveFrom ≤ t < effectiveTo. */
export function isEffectiveAt(set: FactorSet, millis: number): boolean {
  if (Date.parse(set.effectiveFrom) > millis) return false;
  return set.effectiveTo === undefined || millis < Date.parse(set.effectiveTo);
}

/**
 * The factor set that applies at `occurredAt`: among the sets effective at that instant, the one
 * published last. `published` is in publication order, oldest first. Instants are compared to
 * the millisecond.
 */
export function selectFactorSet(
  published: readonly FactorSet[],
  occurredAt: string,
): Outcome<FactorSet, ConversionError> {
  const millis = instantMillis(occurredAt);
  if (millis === undefined) {
    return conversionError(CONVERSION_ERROR.occurredAtInvalid, 'occurredAt is not an instant', {
      occurredAt,
    });
  }
  for (let index = published.length - 1; index >= 0; index -= 1) {
    const set = published[index];
    if (set !== undefined && isEffectiveAt(set, millis)) return { ok: true, value: set };
  }
  return conversionError(
    FACTORSET_ISSUE.noneEffective,
    `no published factor set is effective at ${occurredAt}`,
    { occurredAt },
  );
}

/**
 * Checks that `candidate` can be published after `published`: versions are immutable, so a
 * correction is a new version, never an edit of an old one.
 */
export function checkPublication(
  published: readonly FactorSet[],
  candidate: FactorSet,
): readonly FactorSetIssue[] {
  if (!published.some((set) => set.version === candidate.version)) return [];
  return [
    {
      path: 'version',
      code: FACTORSET_ISSUE.versionExists,
      message: `"${candidate.version}" is already published; publish a correction as a new version`,
    },
  ];
}
