import { convert, type ConvertibleUsage } from './convert';
import { CONVERSION_ERROR } from './errors';
import type { FactorSet } from './factor-set.types';
import { rerate, type RatedUsage } from './rerate';
import { TEST_SET, TEST_SET_JSON, factorSet, testSetJson } from './testing/factor-set.fixtures';

/** A usage as ingestion would have recorded it under `set`. */
function recorded(
  id: string,
  occurredAt: string,
  usage: ConvertibleUsage,
  set: FactorSet,
): RatedUsage {
  const result = convert(usage, set);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  const { measuredEnergyMicroWh: _measured, ...quantities } = usage;
  return {
    ...quantities,
    reportedSource: 'gateway',
    reportedId: id,
    unitId: 'unit-a',
    useCase: 'chat',
    occurredAt,
    energyMicroWh: result.value.energyMicroWh,
    carbonMicroGrams: result.value.carbonMicroGrams,
    method: result.value.method,
    factorSetVersion: result.value.factorSetVersion,
  };
}

// A correction of February 2026: PUE 1.2 instead of 1.5, France at 40 instead of 80.5 gCO2e/kWh,
// and no default model (so an unknown model cannot be re-rated).
const FEBRUARY_FIX = factorSet(
  testSetJson({
    version: 'test-2026.1-fix1',
    effectiveFrom: '2026-02-01T00:00:00Z',
    effectiveTo: '2026-03-01T00:00:00Z',
    pue: { value: '1.2' },
    gridIntensity: { ...TEST_SET_JSON.gridIntensity, fr: { gramsCo2ePerKwh: '40' } },
    defaults: { region: 'world', accelerator: 'gpu-x' },
  }),
);

const tokens = { model: 'tiny-per-token', inputTokens: 1000n, outputTokens: 200n, region: 'fr' };

describe('rerate', () => {
  const january = recorded('jan', '2026-01-15T10:00:00Z', tokens, TEST_SET);
  const february = recorded('feb', '2026-02-10T10:00:00Z', tokens, TEST_SET);
  const measured = recorded(
    'feb-measured',
    '2026-02-20T10:00:00Z',
    { measuredEnergyMicroWh: 1_000_000n, region: 'fr' },
    TEST_SET,
  );
  const unknownModel = recorded(
    'feb-unknown',
    '2026-02-05T10:00:00Z',
    { model: 'mystery', outputTokens: 1n },
    TEST_SET,
  );
  const events = [january, february, measured, unknownModel];

  it('adjusts the usages the correction now rates, by exact deltas', () => {
    // feb, before: IT 1000 × 2.5 + 200 × 10 = 4500 µWh × 1.5 = 6750 µWh; × 80.5 / 1000 = 543 µg
    //      after:  4500 × 1.2 = 5400 µWh; 5400 × 40 / 1000 = 216 µg → −1350 µWh, −327 µg
    // feb-measured: 1 000 000 µWh stays; carbon 80 500 → 40 000 µg → 0 µWh, −40 500 µg
    expect([february.energyMicroWh, february.carbonMicroGrams]).toEqual([6750n, 543n]);
    const result = rerate({ events, published: [TEST_SET], newSet: FEBRUARY_FIX });
    expect(
      result.adjustments.map((adjustment) => [
        adjustment.reportedId,
        adjustment.energyDeltaMicroWh,
        adjustment.carbonDeltaMicroGrams,
        adjustment.energyMicroWh,
        adjustment.carbonMicroGrams,
        adjustment.method,
      ]),
    ).toEqual([
      ['feb', -1350n, -327n, 5400n, 216n, 'modelled'],
      ['feb-measured', 0n, -40_500n, 1_000_000n, 40_000n, 'measured'],
    ]);
    expect(result.adjustments[0]).toMatchObject({
      fromFactorSetVersion: 'test-2026.1',
      toFactorSetVersion: 'test-2026.1-fix1',
      unitId: 'unit-a',
      occurredAt: '2026-02-10T10:00:00Z',
    });
    expect([result.energyDeltaMicroWh, result.carbonDeltaMicroGrams]).toEqual([-1350n, -40_827n]);
    expect(result.skipped).toEqual([
      { reportedSource: 'gateway', reportedId: 'jan', reason: 'not-covered' },
    ]);
    expect(result.failures).toEqual([
      {
        reportedSource: 'gateway',
        reportedId: 'feb-unknown',
        error: expect.objectContaining({ code: CONVERSION_ERROR.modelUnknown }),
      },
    ]);
  });

  it('sums to the difference between the totals under the new and the old catalogue', () => {
    const rated = [january, february, measured];
    const result = rerate({ events: rated, published: [TEST_SET], newSet: FEBRUARY_FIX });
    const before = rated.reduce((sum, usage) => sum + usage.carbonMicroGrams, 0n);
    const after = 543n + 216n + 40_000n; // january unchanged, february and measured re-rated
    expect(result.carbonDeltaMicroGrams).toBe(after - before);
  });

  it('does nothing more once its adjustments are applied', () => {
    const first = rerate({ events, published: [TEST_SET], newSet: FEBRUARY_FIX });
    const applied = events.map((usage) => {
      const adjustment = first.adjustments.find((item) => item.reportedId === usage.reportedId);
      return adjustment === undefined
        ? usage
        : {
            ...usage,
            energyMicroWh: adjustment.energyMicroWh,
            carbonMicroGrams: adjustment.carbonMicroGrams,
            factorSetVersion: adjustment.toFactorSetVersion,
          };
    });
    const second = rerate({
      events: applied,
      published: [TEST_SET, FEBRUARY_FIX],
      newSet: FEBRUARY_FIX,
    });
    expect(second.adjustments).toEqual([]);
    expect(second.skipped.map((item) => item.reason)).toEqual([
      'not-covered',
      'already-rated',
      'already-rated',
    ]);
  });

  it('leaves usages that a set published later already rates', () => {
    const later = factorSet(
      testSetJson({ version: 'test-2026.2', effectiveFrom: '2026-02-15T00:00:00Z' }),
    );
    const result = rerate({
      events,
      published: [TEST_SET, FEBRUARY_FIX, later],
      newSet: FEBRUARY_FIX,
    });
    // feb-measured (Feb 20) belongs to test-2026.2 now: only feb is adjusted
    expect(result.adjustments.map((adjustment) => adjustment.reportedId)).toEqual(['feb']);
  });
});
