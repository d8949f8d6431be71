import fc from 'fast-check';
import { decodeKafkaMessage, encodeKafkaMessage } from '../cloudevents';
import { collectIssues } from '../validation/rule';
import {
  USAGE_RECORDED_V1_TYPE,
  UsageRecordedV1Dto,
  createUsageRecordedV1Event,
  serializeUsageRecordedV1,
  validateUsageRecordedV1,
  type UsageRecordedV1,
} from './usage-recorded.v1';
import { validateUsageReportedV1 } from './usage-reported.v1.validate';
import { USAGE_ISSUE } from './usage-rules';

const recorded: UsageRecordedV1 = {
  unitId: 'unit-7',
  useCase: 'support-chat',
  model: 'gpt-4o',
  inputTokens: 1200n,
  outputTokens: 300n,
  requests: 1n,
  energyMicroWh: 2_340_000n,
  carbonMicroGrams: 131_000_000n,
  factorSetVersion: '2025-01',
  method: 'modelled',
  occurredAt: '2025-01-31T12:00:00Z',
  reportedSource: 'urn:plafond:gateway:eu-1',
  reportedId: 'r-1',
};

function issuesOf(input: unknown) {
  const result = validateUsageRecordedV1(input);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('usage.recorded.v1', () => {
  it('publishes quantities as integer strings and reads them back exactly', () => {
    const json = serializeUsageRecordedV1(recorded);
    expect(json).toMatchObject({ energyMicroWh: '2340000', carbonMicroGrams: '131000000' });
    expect(validateUsageRecordedV1(JSON.parse(JSON.stringify(json)))).toEqual({
      ok: true,
      value: recorded,
    });
  });

  it('writes schema fields only, in one fixed order', () => {
    const shuffled = { extra: 1, ...Object.fromEntries(Object.entries(recorded).reverse()) };
    expect(Object.keys(serializeUsageRecordedV1(shuffled as unknown as UsageRecordedV1))).toEqual(
      Object.keys(serializeUsageRecordedV1(recorded)),
    );
    expect(JSON.stringify(serializeUsageRecordedV1(shuffled as unknown as UsageRecordedV1))).toBe(
      JSON.stringify(serializeUsageRecordedV1(recorded)),
    );
  });

  it('round-trips any bigint amount through a Kafka event in both modes', () => {
    const amount = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(
        amount,
        amount,
        fc.constantFrom('structured', 'binary' as const),
        (energy, carbon, mode) => {
          const data = { ...recorded, energyMicroWh: energy, carbonMicroGrams: carbon };
          const event = createUsageRecordedV1Event({
            id: 'rec-1',
            source: 'urn:plafond:ingestion',
            time: '2025-01-31T12:00:01Z',
            data,
          });
          expect(event).toMatchObject({ type: USAGE_RECORDED_V1_TYPE, partitionkey: 'unit-7' });
          const decoded = decodeKafkaMessage(encodeKafkaMessage(event, { mode }));
          expect(validateUsageRecordedV1(decoded.data)).toEqual({ ok: true, value: data });
        },
      ),
    );
  });

  const json = serializeUsageRecordedV1(recorded);
  const rejected: [string, unknown, string, string][] = [
    [
      'a JSON number quantity',
      { ...json, energyMicroWh: 5 },
      'data.energyMicroWh',
      'QUANTITY.NOT_A_STRING',
    ],
    [
      'a missing carbon figure',
      { ...json, carbonMicroGrams: undefined },
      'data.carbonMicroGrams',
      USAGE_ISSUE.missingField,
    ],
    ['an unknown method', { ...json, method: 'guessed' }, 'data.method', USAGE_ISSUE.invalidMethod],
    [
      'a bad reported source',
      { ...json, reportedSource: 'a b' },
      'data.reportedSource',
      USAGE_ISSUE.invalidUriReference,
    ],
    [
      'an alias',
      { ...json, 'gen_ai.request.model': 'x' },
      'data["gen_ai.request.model"]',
      USAGE_ISSUE.unknownField,
    ],
    [
      'no factor set',
      { ...json, factorSetVersion: undefined },
      'data.factorSetVersion',
      USAGE_ISSUE.missingField,
    ],
  ];
  it.each(rejected.map(([label, input, path, code]) => ({ label, input, path, code })))(
    'rejects $label with $code',
    ({ input, path, code }) => {
      expect(issuesOf(input)).toContainEqual(expect.objectContaining({ path, code }));
    },
  );

  it('has a DTO that applies the same rules', () => {
    const dto = Object.assign(new UsageRecordedV1Dto(), {
      ...json,
      method: 'guessed',
      requests: 1,
    });
    expect(collectIssues(dto, 'data', 'X').map(({ path, code }) => ({ path, code }))).toEqual([
      { path: 'data.requests', code: 'QUANTITY.NOT_A_STRING' },
      { path: 'data.method', code: USAGE_ISSUE.invalidMethod },
    ]);
  });
});

it('every USAGE issue code is produced by some input', () => {
  const minimal = { unitId: 'u', useCase: 'c', occurredAt: '2025-01-01T00:00:00Z' };
  const reported = [
    7,
    { ...minimal, gpuMs: 1, nope: 1 },
    Object.fromEntries([...Array(70).keys()].map((key) => [`k${key}`, 1])),
    { useCase: 'c', occurredAt: minimal.occurredAt, gpuMs: 1 },
    { ...minimal, gpuMs: 1, inputTokens: 1, 'gen_ai.usage.input_tokens': 2 },
    { ...minimal, gpuMs: 1, unitId: 1 },
    { ...minimal, gpuMs: 1, unitId: '-x' },
    { ...minimal, gpuMs: 1, model: '' },
    { ...minimal, gpuMs: 1, occurredAt: 'x' },
    minimal,
  ].flatMap((input) => {
    const result = validateUsageReportedV1(input);
    return result.ok ? [] : result.issues;
  });
  const recordedIssues = [
    { ...serializeUsageRecordedV1(recorded), method: 'x', reportedSource: '%%' },
  ].flatMap((input) => {
    const result = validateUsageRecordedV1(input);
    return result.ok ? [] : result.issues;
  });
  const reached = new Set([...reported, ...recordedIssues].map((issue) => issue.code));
  for (const code of Object.values(USAGE_ISSUE)) expect(reached).toContain(code);
});
