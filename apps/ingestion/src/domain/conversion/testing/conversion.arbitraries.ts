import fc from 'fast-check';
import type { ConvertibleUsage } from '../convert';
import { formatDecimal } from '../exact';
import type { FactorSetJson } from '../factor-set.types';

/** A decimal string in [minUnits × 10^-scale, maxValue] with 0..`maxScale` decimals. */
export const decimalArb = (maxValue: bigint, maxScale = 6, minUnits = 0n) =>
  fc
    .integer({ min: 0, max: maxScale })
    .chain((scale) =>
      fc
        .bigInt({ min: minUnits, max: maxValue * 10n ** BigInt(scale) })
        .map((units) => formatDecimal({ units, scale })),
    );

const pueArb = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([whole, ppm]) => `${whole + 1}.${ppm.toString().padStart(6, '0')}`);

export const REGIONS = ['world', 'fr', 'us'] as const;
export const MODELS = ['per-token', 'by-parameters'] as const;
export const ACCELERATORS = ['gpu-a', 'gpu-b'] as const;

/** A valid factor set over fixed table keys, with arbitrary exact factors. */
export const factorSetJsonArb = (
  version: string,
  effectiveFrom = '2026-01-01T00:00:00Z',
  effectiveTo?: string,
): fc.Arbitrary<FactorSetJson> =>
  fc
    .record({
      pue: pueArb,
      grid: fc.tuple(...REGIONS.map(() => decimalArb(2_000n, 3))),
      perToken: fc.tuple(decimalArb(100_000n, 4), decimalArb(100_000n, 4)),
      parameters: decimalArb(2_000n, 4, 1n),
      gpus: fc.integer({ min: 1, max: 8 }),
      alpha: decimalArb(1_000n, 3),
      beta: decimalArb(10_000n, 3),
      latencyA: decimalArb(1n, 7),
      latencyB: decimalArb(1n, 6),
      serverWatts: decimalArb(5_000n, 2),
      watts: fc.tuple(...ACCELERATORS.map(() => decimalArb(2_000n, 2, 1n))),
    })
    .map((draw) => ({
      version,
      effectiveFrom,
      ...(effectiveTo === undefined ? {} : { effectiveTo }),
      description: `generated ${version}`,
      pue: { value: draw.pue },
      gridIntensity: Object.fromEntries(
        REGIONS.map((region, index) => [region, { gramsCo2ePerKwh: draw.grid[index] ?? '0' }]),
      ),
      parameterModel: {
        gpuMicroWhPerTokenPerBillionParameters: draw.alpha,
        gpuMicroWhPerToken: draw.beta,
        latencySecondsPerTokenPerBillionParameters: draw.latencyA,
        latencySecondsPerToken: draw.latencyB,
        serverWattsPerGpu: draw.serverWatts,
      },
      models: {
        'per-token': {
          inputMicroWhPerToken: draw.perToken[0],
          outputMicroWhPerToken: draw.perToken[1],
        },
        'by-parameters': { activeParametersBillions: draw.parameters, gpus: draw.gpus },
      },
      accelerators: Object.fromEntries(
        ACCELERATORS.map((name, index) => [name, { watts: draw.watts[index] ?? '1' }]),
      ),
      defaults: { region: 'world', model: 'per-token', accelerator: 'gpu-a' },
    }));

// Up to 10^7 per usage keeps the largest generated factors within a ledger amount.
export const countArb = fc.bigInt({ min: 0n, max: 10n ** 7n });
const count = countArb;
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** A usage that any factorSetJsonArb set converts (unknown names fall back to its defaults). */
export const usageArb: fc.Arbitrary<ConvertibleUsage> = fc
  .record({
    model: optional(fc.constantFrom(...MODELS, 'unknown-model')),
    region: optional(fc.constantFrom(...REGIONS, 'FR', 'atlantis')),
    inputTokens: optional(count),
    outputTokens: count,
    gpuMs: optional(count),
    accelerator: optional(fc.constantFrom(...ACCELERATORS, 'tpu')),
    measuredEnergyMicroWh: optional(fc.bigInt({ min: 0n, max: 10n ** 12n })),
  })
  .map((usage) =>
    Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined)),
  );

/** An instant in 2026, to the second. */
export const instantArb = fc
  .integer({ min: Date.UTC(2026, 0, 1) / 1000, max: Date.UTC(2026, 11, 31) / 1000 })
  .map((seconds) => new Date(seconds * 1000).toISOString());
