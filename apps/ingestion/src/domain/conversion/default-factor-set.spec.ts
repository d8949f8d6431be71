import { convert, type ConvertibleUsage } from './convert';
import {
  DEFAULT_FACTOR_SET,
  DEFAULT_FACTOR_SET_JSON,
  DEFAULT_FACTOR_SET_VERSION,
} from './default-factor-set';
import { formatDecimal } from './exact';
import { selectFactorSet } from './factor-set.select';

function converted(usage: ConvertibleUsage) {
  const result = convert(usage, DEFAULT_FACTOR_SET);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

describe('default factor set plafond-default-2026.1', () => {
  it('is valid and effective for any usage since 2000', () => {
    expect(DEFAULT_FACTOR_SET.version).toBe(DEFAULT_FACTOR_SET_VERSION);
    const selected = selectFactorSet([DEFAULT_FACTOR_SET], '2026-11-29T05:00:00Z');
    expect(selected.ok && selected.value.version).toBe('plafond-default-2026.1');
  });

  it('carries the ADEME grid intensities EcoLogits uses (gCO2e/kWh)', () => {
    const grams = Object.fromEntries(
      [...DEFAULT_FACTOR_SET.gridIntensity].map(([region, entry]) => [
        region,
        formatDecimal(entry.gramsCo2ePerKwh),
      ]),
    );
    expect(grams).toEqual({ world: '590.4', eea: '509.4', us: '679.8', cn: '1057', fr: '81.3' });
    expect(DEFAULT_FACTOR_SET.defaults.region).toBe('world');
  });

  it('cites a source for every number', () => {
    const json = DEFAULT_FACTOR_SET_JSON;
    const entries = [
      json.pue,
      ...(json.parameterModel ? [json.parameterModel] : []),
      ...Object.values(json.gridIntensity),
      ...Object.values(json.models),
      ...Object.values(json.accelerators),
    ];
    for (const entry of entries) expect(entry.source).toMatch(/\S{10,}/);
  });

  it('rates 1000 output tokens of Llama 3.1 70B in France (hand-computed)', () => {
    // per output token: 89.1 × 70.55 + 1430 = 7716.005 µWh (GPU)
    //   + 125 W × (0.000802 × 70.55 + 0.0223) s = 9.8601375 W·s = 2738.9270833… µWh (server)
    //   = 10454.9320833… µWh; × 1000 tokens × PUE 1.2 = 12 545 918.5 µWh → 12 545 919 (half up)
    // carbon = 12 545 918.5 × 81.3 / 1000 = 1 019 983.17405 µg → 1 019 983
    const result = converted({
      model: 'meta-llama/Meta-Llama-3.1-70B-Instruct',
      inputTokens: 2_000n,
      outputTokens: 1_000n,
      region: 'fr',
    });
    expect(result).toMatchObject({
      energyMicroWh: 12_545_919n,
      carbonMicroGrams: 1_019_983n,
      method: 'modelled',
      factorSetVersion: 'plafond-default-2026.1',
    });
    expect(result.breakdown.tokens?.model.how).toBe('exact');
    expect(result.breakdown.energyMicroWhExact).toBe('12545918.5');
  });

  it('rates the 405 B model on 4 GPUs', () => {
    // per GPU: 89.1 × 405.85 + 1430 = 37591.235 µWh (GPU)
    //   + 125 W × (0.000802 × 405.85 + 0.0223) s = 43.4739625 W·s = 12076.1006944… µWh (server)
    //   = 49667.3356944… µWh; × 4 GPUs = 198669.3427777… µWh
    // × PUE 1.2 = 238403.2113333… µWh → 238403; carbon world: × 590.4 / 1000 = 140753.2559712 → 140753
    const result = converted({ model: 'meta-llama-3.1-405b-instruct', outputTokens: 1n });
    expect([result.energyMicroWh, result.carbonMicroGrams]).toEqual([238_403n, 140_753n]);
    expect(result.breakdown.tokens).toMatchObject({ gpus: 4, model: { how: 'alias' } });
  });

  it('rates an hour of H100 time in the USA at 700 W (hand-computed)', () => {
    // 3 600 000 ms × 700 W = 700 Wh = 700 000 000 µWh; × 1.2 = 840 000 000 µWh
    // carbon = 840 000 000 × 679.8 / 1000 = 571 032 000 µg (571.032 g)
    const result = converted({ gpuMs: 3_600_000n, accelerator: 'nvidia-h100', region: 'US' });
    expect([result.energyMicroWh, result.carbonMicroGrams]).toEqual([840_000_000n, 571_032_000n]);
    expect(result.breakdown.gpu?.accelerator).toEqual({
      requested: 'nvidia-h100',
      resolved: 'nvidia-h100-sxm',
      how: 'alias',
    });
  });

  it('falls back to the 70 B model, the A100 and the world mix, and says so', () => {
    const tokens = converted({ model: 'gpt-4o', outputTokens: 1n, region: 'mars' }).breakdown;
    expect(tokens.tokens?.model).toEqual({
      requested: 'gpt-4o',
      resolved: 'meta-llama/meta-llama-3.1-70b-instruct',
      how: 'fallback',
    });
    expect(tokens.region.how).toBe('fallback');
    const gpu = converted({ gpuMs: 1n }).breakdown.gpu;
    expect(gpu?.accelerator).toEqual({ resolved: 'nvidia-a100-sxm', how: 'fallback' });
  });
});
