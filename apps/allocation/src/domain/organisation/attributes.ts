// Unit attributes (headcount, revenue, any named weight) versioned by effective date. A version
// sets some attributes from a date on; `attributesAsOf` resolves each name independently.
import type { WeightValue } from '../criteria';
import { invariant } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { amountOf, amountText, invalid, requireAmount, requireId } from '../shared/values';
import type { AttributeInput, AttributeVersion, StoredWeight } from './organisation.types';

export function validateAttributes(
  attributes: Readonly<Record<string, AttributeInput>>,
): Record<string, StoredWeight | null> {
  const entries = Object.entries(attributes);
  if (entries.length === 0) invalid('attributes', 'must set at least one attribute');
  if (entries.length > DOMAIN_LIMITS.attributesPerVersion)
    invalid('attributes', `at most ${DOMAIN_LIMITS.attributesPerVersion} per version`);
  // fromEntries defines own properties, so an attribute named "__proto__" stays data.
  return Object.fromEntries(
    entries.map(([name, value]) => {
      requireId(name, 'attributes (name)');
      return [name, value === null ? null : storeWeight(value, `attributes.${name}`)];
    }),
  );
}

function storeWeight(value: WeightValue, field: string): StoredWeight {
  if (typeof value === 'bigint') return requireAmount(value, field).toString();
  if (
    typeof value !== 'object' ||
    !Number.isSafeInteger(value.scale) ||
    value.scale < 0 ||
    value.scale > DOMAIN_LIMITS.attributeScale
  )
    invalid(field, `must be a bigint or { value, scale 0..${DOMAIN_LIMITS.attributeScale} }`);
  return { value: requireAmount(value.value, `${field}.value`).toString(), scale: value.scale };
}

export function readWeight(stored: StoredWeight, field: string): WeightValue {
  if (typeof stored === 'string') return amountOf(stored, field);
  invariant(
    Number.isSafeInteger(stored.scale) && stored.scale >= 0,
    'stored weight has a bad scale',
    { field },
  );
  return { value: amountOf(stored.value, `${field}.value`), scale: stored.scale };
}

export function storedWeightText(value: WeightValue): StoredWeight {
  return typeof value === 'bigint'
    ? amountText(value)
    : { value: amountText(value.value), scale: value.scale };
}

/** Each attribute's value from the latest version effective on `date` (YYYY-MM-DD). */
export function resolveAttributes(
  versions: readonly AttributeVersion[],
  date: string,
): Record<string, WeightValue> {
  const resolved = new Map<string, { effectiveFrom: string; value: WeightValue | null }>();
  for (const version of versions) {
    if (version.effectiveFrom > date) continue;
    for (const [name, value] of Object.entries(version.values)) {
      const current = resolved.get(name);
      // `>=`: versions are in event order, so for the same date the later event wins.
      if (current === undefined || version.effectiveFrom >= current.effectiveFrom)
        resolved.set(name, { effectiveFrom: version.effectiveFrom, value });
    }
  }
  const present = [...resolved].flatMap(([name, { value }]) =>
    value === null ? [] : [[name, value] as const],
  );
  return Object.fromEntries(present);
}
