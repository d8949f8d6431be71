import { QUANTITY_MAX } from '@plafond/contracts';
import { convert, type Conversion, type ConvertibleUsage } from './convert';
import { CONVERSION_ERROR } from './errors';
import type { FactorSet } from './factor-set.types';
import { TEST_SET, factorSet, testSetJson } from './testing/factor-set.fixtures';

// TEST_SET: PUE 1.5; world 500, fr 80.5 gCO2e/kWh; tiny-per-token 2.5 µWh in / 10 µWh out;
// param-7b: 7 B active on 2 GPUs with α 100, β 1000, A 0.001, B 0.02, 180 W per GPU;
// gpu-x 360 W, gpu-y 400 W; defaults world / param-7b / gpu-x.

function converted(usage: ConvertibleUsage, set: FactorSet = TEST_SET): Conversion {
  const result = convert(usage, set);
  if (!result.ok) throw new Error(`conversion failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

function errorCode(usage: ConvertibleUsage, set: FactorSet = TEST_SET): string {
  const result = convert(usage, set);
  return result.ok ? 'converted' : result.error.code;
}

describe('convert', () => {
  describe('tokens, per-token model', () => {
    it('adds input and output energy, applies the PUE, carbonises with the region', () => {
      // IT = 1000 × 2.5 + 200 × 10 = 4500 µWh; × 1.5 = 6750 µWh
      // carbon = 6750 × 80.5 / 1000 = 543.375 µg → 543
      const result = converted({
        model: 'tiny-per-token',
        inputTokens: 1000n,
        outputTokens: 200n,
        region: 'fr',
      });
      expect(result).toMatchObject({
        energyMicroWh: 6750n,
        carbonMicroGrams: 543n,
        method: 'modelled',
        factorSetVersion: 'test-2026.1',
      });
      expect(result.breakdown).toEqual({
        basis: 'tokens',
        tokens: {
          model: { requested: 'tiny-per-token', resolved: 'tiny-per-token', how: 'exact' },
          kind: 'perToken',
          inputTokens: '1000',
          outputTokens: '200',
          microWhPerInputToken: '2.5',
          microWhPerOutputToken: '10',
          energyMicroWh: '4500',
        },
        itEnergyMicroWh: '4500',
        pue: '1.5',
        energyMicroWhExact: '6750',
        region: { requested: 'fr', resolved: 'fr', how: 'exact' },
        gramsCo2ePerKwh: '80.5',
        carbonMicroGramsExact: '543.375',
      });
    });

    it('counts absent token counts as zero', () => {
      // IT = 3 × 10 = 30 µWh; × 1.5 = 45; carbon world 45 × 500 / 1000 = 22.5 → 23 (half up)
      const result = converted({ model: 'tiny-per-token', outputTokens: 3n });
      expect([result.energyMicroWh, result.carbonMicroGrams]).toEqual([45n, 23n]);
    });
  });

  describe('tokens, active-parameter model', () => {
    it('charges output tokens by the linear model, per GPU', () => {
      // per GPU per output token: gpu = 100 × 7 + 1000 = 1700 µWh
      //   server = 180 W × (0.001 × 7 + 0.02) s = 4.86 W·s = 4.86 / 3600 Wh = 1350 µWh
      //   → 3050 µWh; × 2 GPUs = 6100 µWh per output token
      // IT = 3 × 6100 = 18300 µWh (input tokens are not charged); × 1.5 = 27450 µWh
      // carbon world = 27450 × 500 / 1000 = 13725 µg
      const result = converted({ model: 'param-7b', inputTokens: 500n, outputTokens: 3n });
      expect([result.energyMicroWh, result.carbonMicroGrams]).toEqual([27450n, 13725n]);
      expect(result.breakdown.tokens).toMatchObject({
        kind: 'activeParameters',
        activeParametersBillions: '7',
        gpus: 2,
        microWhPerInputToken: '0',
        microWhPerOutputToken: '6100',
        energyMicroWh: '18300',
      });
      expect(result.breakdown.region).toEqual({ resolved: 'world', how: 'fallback' });
    });
  });

  describe('GPU time', () => {
    it('converts milliseconds at the accelerator power', () => {
      // 7 ms × 360 W = 2.52 J = 2.52 / 3600 Wh = 700 µWh; × 1.5 = 1050 µWh
      // carbon world = 1050 × 500 / 1000 = 525 µg
      const result = converted({ gpuMs: 7n, accelerator: 'gpu-x' });
      expect([result.energyMicroWh, result.carbonMicroGrams]).toEqual([1050n, 525n]);
      expect(result.breakdown).toMatchObject({
        basis: 'gpuTime',
        gpu: { gpuMs: '7', watts: '360', energyMicroWh: '700' },
      });
    });

    it('rounds energy and carbon once each, from the exact value', () => {
      // 1 ms × 400 W = 0.4 J = 111.111… µWh; × 1.5 = 166.666… µWh → 167
      // carbon = 166.666… × 500 / 1000 = 83.333… µg → 83 (from the rounded 167 it would be 84)
      const result = converted({ gpuMs: 1n, accelerator: 'gpu-y' });
      expect([result.energyMicroWh, result.carbonMicroGrams]).toEqual([167n, 83n]);
      expect(result.breakdown).toMatchObject({
        itEnergyMicroWh: '111.111111',
        energyMicroWhExact: '166.666667',
        carbonMicroGramsExact: '83.333333',
      });
    });

    it('wins over tokens reported for the same usage', () => {
      const result = converted({ gpuMs: 7n, accelerator: 'gpu-x', outputTokens: 1_000n });
      expect(result.breakdown.basis).toBe('gpuTime');
      expect(result.breakdown.tokens).toBeUndefined();
      expect(result.energyMicroWh).toBe(1050n);
    });
  });

  describe('measured energy', () => {
    it('wins over the model and is only carbonised (no PUE)', () => {
      // 1 Wh measured in France: carbon = 1 000 000 × 80.5 / 1000 = 80 500 µg
      const result = converted({
        measuredEnergyMicroWh: 1_000_000n,
        gpuMs: 7n,
        outputTokens: 10n,
        region: 'FRA',
      });
      expect(result).toMatchObject({
        energyMicroWh: 1_000_000n,
        carbonMicroGrams: 80_500n,
        method: 'measured',
      });
      expect(result.breakdown.basis).toBe('measured');
      expect(result.breakdown.pue).toBeUndefined();
      expect(result.breakdown.region).toEqual({ requested: 'FRA', resolved: 'fr', how: 'alias' });
    });

    it('rounds carbon half up', () => {
      // 1 µWh × 500 / 1000 = 0.5 µg → 1; 3 µWh × 80.5 / 1000 = 0.2415 µg → 0
      expect(converted({ measuredEnergyMicroWh: 1n }).carbonMicroGrams).toBe(1n);
      expect(converted({ measuredEnergyMicroWh: 3n, region: 'fr' }).carbonMicroGrams).toBe(0n);
    });
  });

  describe('resolving names', () => {
    const modelOf = (usage: ConvertibleUsage) =>
      converted({ outputTokens: 1n, ...usage }).breakdown.tokens?.model;

    it('matches exactly, by alias, by prefix or falls back, and says which', () => {
      expect(modelOf({ model: 'TINY' })).toEqual({
        requested: 'TINY',
        resolved: 'tiny-per-token',
        how: 'alias',
      });
      expect(modelOf({ model: 'tiny-per-token-2026-01-01' })).toMatchObject({
        resolved: 'tiny-per-token',
        how: 'prefix',
      });
      expect(modelOf({ model: 'tiny-2026' })).toMatchObject({
        resolved: 'tiny-per-token',
        how: 'prefix', // through the alias `tiny`
      });
      // `tiny` is followed by a letter, not a separator: no prefix match
      expect(modelOf({ model: 'tinyllama' })).toMatchObject({
        resolved: 'param-7b',
        how: 'fallback',
      });
      expect(modelOf({})).toEqual({ resolved: 'param-7b', how: 'fallback' });
    });

    it('prefers the model that answered over the one requested', () => {
      expect(modelOf({ model: 'param-7b', responseModel: 'tiny' })).toMatchObject({
        resolved: 'tiny-per-token',
      });
    });

    it('resolves accelerators the same way and regions without prefixes', () => {
      const gpu = converted({ gpuMs: 1n, accelerator: 'x' }).breakdown.gpu?.accelerator;
      expect(gpu).toEqual({ requested: 'x', resolved: 'gpu-x', how: 'alias' });
      const region = converted({ gpuMs: 1n, region: 'fr-paris' }).breakdown.region;
      expect(region).toEqual({ requested: 'fr-paris', resolved: 'world', how: 'fallback' });
    });
  });

  describe('refusals', () => {
    const strict = factorSet(testSetJson({ defaults: { region: 'world' } }));

    it('MODEL_UNKNOWN when the model is unknown and the set has no default model', () => {
      expect(errorCode({ model: 'mystery', outputTokens: 1n }, strict)).toBe(
        CONVERSION_ERROR.modelUnknown,
      );
      expect(errorCode({ model: 'tiny', outputTokens: 1n }, strict)).toBe('converted');
    });

    it('ACCELERATOR_UNKNOWN when the accelerator is unknown and there is no default', () => {
      expect(errorCode({ gpuMs: 1n, accelerator: 'tpu' }, strict)).toBe(
        CONVERSION_ERROR.acceleratorUnknown,
      );
      expect(errorCode({ gpuMs: 1n }, strict)).toBe(CONVERSION_ERROR.acceleratorUnknown);
    });

    it('NOTHING_TO_CONVERT when the usage has no quantity to convert', () => {
      expect(errorCode({ model: 'tiny' })).toBe(CONVERSION_ERROR.nothingToConvert);
    });

    it('OUT_OF_RANGE when a result does not fit a ledger amount', () => {
      // QUANTITY_MAX output tokens × 10 µWh × 1.5 exceeds QUANTITY_MAX
      const result = convert({ model: 'tiny', outputTokens: QUANTITY_MAX }, TEST_SET);
      expect(result.ok ? 'converted' : result.error).toMatchObject({
        code: CONVERSION_ERROR.outOfRange,
        details: { energyMicroWh: (QUANTITY_MAX * 15n).toString() },
      });
    });
  });

  it('is deterministic', () => {
    const usage = { model: 'param-7b', outputTokens: 12_345n, region: 'fra' };
    expect(converted(usage)).toEqual(converted(usage));
  });
});
