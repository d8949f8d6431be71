import { QUANTITY_ERROR } from '../quantity';
import { validateUsageAdjustedV1, type UsageAdjustedV1Json } from './usage-adjusted.v1';
import { USAGE_ISSUE } from './usage-rules';

const adjusted: UsageAdjustedV1Json = {
  reportedSource: 'urn:plafond:gateway:eu-1',
  reportedId: 'r-1',
  recordedEventId: 'ingest-rec-0123456789abcdef',
  unitId: 'team-search',
  useCase: 'support-chat',
  occurredAt: '2026-11-04T10:00:00.000Z',
  method: 'modelled',
  fromFactorSetVersion: '2026-01',
  toFactorSetVersion: '2026-02',
  energyDeltaMicroWh: '-100000',
  carbonDeltaMicroGrams: '2500',
  energyMicroWh: '2240000',
  carbonMicroGrams: '130002500',
};

function issuesOf(input: unknown) {
  const result = validateUsageAdjustedV1(input);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('usage.adjusted.v1', () => {
  it('accepts what ingestion publishes (signed deltas) and returns it unchanged', () => {
    expect(validateUsageAdjustedV1(JSON.parse(JSON.stringify(adjusted)))).toEqual({
      ok: true,
      value: adjusted,
    });
    expect(validateUsageAdjustedV1({ ...adjusted, energyDeltaMicroWh: '0' }).ok).toBe(true);
  });

  it('is strict: unknown fields, missing fields and JSON numbers are refused', () => {
    const { recordedEventId: _dropped, ...withoutRecorded } = adjusted;
    expect(issuesOf({ ...withoutRecorded, extra: 1 })).toEqual([
      expect.objectContaining({ path: 'data.extra', code: USAGE_ISSUE.unknownField }),
      expect.objectContaining({ path: 'data.recordedEventId', code: USAGE_ISSUE.missingField }),
    ]);
    expect(issuesOf({ ...adjusted, energyMicroWh: 2240000 })).toEqual([
      expect.objectContaining({ path: 'data.energyMicroWh', code: QUANTITY_ERROR.notAString }),
    ]);
    expect(issuesOf({ ...adjusted, carbonDeltaMicroGrams: 5 })).toEqual([
      expect.objectContaining({
        path: 'data.carbonDeltaMicroGrams',
        code: QUANTITY_ERROR.notAString,
      }),
    ]);
    expect(issuesOf('adjusted')).toEqual([
      expect.objectContaining({ path: 'data', code: USAGE_ISSUE.notAnObject }),
    ]);
  });

  it.each(['-0', '+5', '1.5', '1e3', '', '--1', '-9223372036854775808', '01'])(
    'refuses the delta %j',
    (delta) => {
      expect(issuesOf({ ...adjusted, energyDeltaMicroWh: delta })).toEqual([
        expect.objectContaining({ path: 'data.energyDeltaMicroWh' }),
      ]);
    },
  );

  it('refuses negative values after the adjustment and an unknown method', () => {
    expect(
      issuesOf({ ...adjusted, energyMicroWh: '-1', method: 'guessed' }).map((i) => i.path),
    ).toEqual(['data.method', 'data.energyMicroWh']);
  });
});
