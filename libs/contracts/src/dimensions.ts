/**
 * What a budget can limit, and the integer unit each dimension is counted in. `scale` is the
 * number of base units per display unit, so a UI shows `amount / scale` of `displayUnit`
 * (formatMicro does this exactly for the micro-scaled ones).
 */
export const DIMENSIONS = {
  energy: { unit: 'µWh', displayUnit: 'Wh', scale: 1_000_000n },
  carbon: { unit: 'µgCO2e', displayUnit: 'gCO2e', scale: 1_000_000n },
  compute: { unit: 'gpu_ms', displayUnit: 'gpu_ms', scale: 1n },
  requests: { unit: 'requests', displayUnit: 'requests', scale: 1n },
  tokens: { unit: 'tokens', displayUnit: 'tokens', scale: 1n },
} as const;

export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as readonly Dimension[];

export function isDimension(value: unknown): value is Dimension {
  return typeof value === 'string' && (DIMENSION_NAMES as readonly string[]).includes(value);
}

/** Money is counted in micro-units of its currency (ISO 4217 code carried next to the amount). */
export const MONEY = { unit: 'micro', scale: 1_000_000n } as const;
