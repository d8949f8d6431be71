import { parseFactorSet } from '../factor-set.parse';
import type { FactorSet, FactorSetJson } from '../factor-set.types';

/**
 * A small set with round numbers, so tests can compute expected values by hand:
 * PUE 1.5; world 500 and fr 80.5 gCO2e/kWh; per-token model 2.5 / 10 µWh; a 7 B model on 2 GPUs
 * under α 100, β 1000, A 0.001 s, B 0.02 s, 180 W server share; accelerators of 360 W and 400 W.
 */
export const TEST_SET_JSON: FactorSetJson = {
  version: 'test-2026.1',
  effectiveFrom: '2026-01-01T00:00:00Z',
  description: 'Round numbers for hand-computed tests',
  pue: { value: '1.5' },
  gridIntensity: {
    world: { gramsCo2ePerKwh: '500' },
    fr: { gramsCo2ePerKwh: '80.5', source: 'test' },
  },
  parameterModel: {
    gpuMicroWhPerTokenPerBillionParameters: '100',
    gpuMicroWhPerToken: '1000',
    latencySecondsPerTokenPerBillionParameters: '0.001',
    latencySecondsPerToken: '0.02',
    serverWattsPerGpu: '180',
  },
  models: {
    'tiny-per-token': { inputMicroWhPerToken: '2.5', outputMicroWhPerToken: '10' },
    'param-7b': { activeParametersBillions: '7', gpus: 2 },
  },
  accelerators: {
    'gpu-x': { watts: '360' },
    'gpu-y': { watts: '400' },
  },
  aliases: {
    models: { tiny: 'tiny-per-token' },
    regions: { fra: 'fr' },
    accelerators: { x: 'gpu-x' },
  },
  defaults: { region: 'world', model: 'param-7b', accelerator: 'gpu-x' },
};

/** Parses a factor set that the test knows to be valid; fails the test loudly otherwise. */
export function factorSet(json: unknown): FactorSet {
  const parsed = parseFactorSet(json);
  if (!parsed.ok) throw new Error(`invalid test factor set: ${JSON.stringify(parsed.issues)}`);
  return parsed.value;
}

/** TEST_SET_JSON with some fields replaced (undefined removes a field). */
export function testSetJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const json: Record<string, unknown> = { ...TEST_SET_JSON, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete json[key];
  return json;
}

export const TEST_SET = factorSet(TEST_SET_JSON);
