import type { ScaledDecimal, WeightValue } from './types';

function scaleOf(value: WeightValue): number {
  return typeof value === 'bigint' ? 0 : value.scale;
}

function unscaled(value: WeightValue): bigint {
  return typeof value === 'bigint' ? value : value.value;
}

export function isScaledDecimal(value: unknown): value is ScaledDecimal {
  return typeof value === 'object' && value !== null && 'value' in value && 'scale' in value;
}

/**
 * Brings weights given with different decimal scales to one integer scale, so that
 * 1.5 and 2 become 15 and 20: ratios are preserved exactly, no float ever appears.
 */
export function normaliseWeights(values: readonly WeightValue[]): bigint[] {
  const maxScale = values.reduce((max, value) => Math.max(max, scaleOf(value)), 0);
  return values.map((value) => unscaled(value) * 10n ** BigInt(maxScale - scaleOf(value)));
}

/** Own attributes only, so a name such as `constructor` never reads the prototype. */
export function attributeOf(
  attributes: Readonly<Record<string, WeightValue>> | undefined,
  name: string,
): WeightValue | undefined {
  return attributes !== undefined && Object.hasOwn(attributes, name) ? attributes[name] : undefined;
}
