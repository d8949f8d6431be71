import fc from 'fast-check';
import { collectIssues } from '../validation/rule';
import { decodeKafkaMessage, encodeKafkaMessage } from '../cloudevents';
import { USAGE_REPORTED_V1_TYPE, UsageReportedV1Dto, type UsageReportedV1 } from './usage-event.v1';
import {
  createUsageReportedV1Event,
  serializeUsageReportedV1,
  validateUsageReportedV1,
} from './usage-reported.v1.validate';
import { USAGE_ISSUE } from './usage-rules';

const minimal = { unitId: 'unit-7', useCase: 'support-chat', occurredAt: '2025-01-31T12:00:00Z' };

function issuesOf(input: unknown) {
  const result = validateUsageReportedV1(input);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

function valueOf(input: unknown): UsageReportedV1 {
  const result = validateUsageReportedV1(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe('validateUsageReportedV1', () => {
  it('parses every field, quantities as exact bigints, requests defaulting to 1', () => {
    expect(
      valueOf({
        ...minimal,
        model: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        provider: 'openai',
        region: 'eu-west-1',
        inputTokens: 1200,
        outputTokens: '9007199254740993',
        gpuMs: '350',
        accelerator: 'nvidia-h100',
        measuredEnergyWh: '0.75',
        reservationId: 'rsv-1',
      }),
    ).toEqual({
      ...minimal,
      model: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      provider: 'openai',
      region: 'eu-west-1',
      inputTokens: 1200n,
      outputTokens: 9_007_199_254_740_993n,
      requests: 1n,
      gpuMs: 350n,
      accelerator: 'nvidia-h100',
      measuredEnergyMicroWh: 750_000n,
      reservationId: 'rsv-1',
    });
  });

  it('maps OpenTelemetry GenAI attribute names and ignores other gen_ai.* attributes', () => {
    expect(
      valueOf({
        ...minimal,
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.request.model': 'claude',
        'gen_ai.response.model': 'claude-x',
        'gen_ai.system': 'anthropic',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
      }),
    ).toEqual({
      ...minimal,
      inputTokens: 10n,
      outputTokens: 20n,
      requests: 1n,
      model: 'claude',
      responseModel: 'claude-x',
      provider: 'anthropic',
    });
    expect(valueOf({ ...minimal, 'gen_ai.usage.prompt_tokens': 3 }).inputTokens).toBe(3n);
  });

  it('treats null as absent and keeps measuredEnergyMicroWh as given', () => {
    expect(valueOf({ ...minimal, model: null, measuredEnergyMicroWh: '5' })).toEqual({
      ...minimal,
      requests: 1n,
      measuredEnergyMicroWh: 5n,
    });
  });

  const rejected: [string, unknown, string, string][] = [
    ['an array', [], 'data', USAGE_ISSUE.notAnObject],
    ['a typo', { ...minimal, inputToken: 5 }, 'data.inputToken', USAGE_ISSUE.unknownField],
    [
      'no unit',
      { useCase: 'x', occurredAt: minimal.occurredAt, gpuMs: 1 },
      'data.unitId',
      USAGE_ISSUE.missingField,
    ],
    [
      'a numeric use case',
      { ...minimal, useCase: 5, gpuMs: 1 },
      'data.useCase',
      USAGE_ISSUE.notAString,
    ],
    [
      'a unit with a space',
      { ...minimal, unitId: 'unit 7', gpuMs: 1 },
      'data.unitId',
      USAGE_ISSUE.invalidIdentifier,
    ],
    [
      'a padded model',
      { ...minimal, model: ' gpt ', gpuMs: 1 },
      'data.model',
      USAGE_ISSUE.invalidText,
    ],
    [
      'an empty region',
      { ...minimal, region: '', gpuMs: 1 },
      'data.region',
      USAGE_ISSUE.invalidText,
    ],
    [
      'a date without time',
      { ...minimal, occurredAt: '2025-01-31', gpuMs: 1 },
      'data.occurredAt',
      USAGE_ISSUE.invalidTimestamp,
    ],
    ['only requests', { ...minimal, requests: 3 }, 'data', USAGE_ISSUE.noMeasurableQuantity],
    [
      'disagreeing aliases',
      { ...minimal, inputTokens: 5, 'gen_ai.usage.input_tokens': 6 },
      'data["gen_ai.usage.input_tokens"]',
      USAGE_ISSUE.conflictingFields,
    ],
    [
      'energy twice',
      { ...minimal, measuredEnergyMicroWh: 1, measuredEnergyWh: '1' },
      'data.measuredEnergyWh',
      USAGE_ISSUE.conflictingFields,
    ],
    ['negative tokens', { ...minimal, inputTokens: -1 }, 'data.inputTokens', 'QUANTITY.NEGATIVE'],
    [
      'float tokens',
      { ...minimal, outputTokens: 1.5 },
      'data.outputTokens',
      'QUANTITY.NOT_AN_INTEGER',
    ],
    ['exponent GPU time', { ...minimal, gpuMs: '1e3' }, 'data.gpuMs', 'QUANTITY.EXPONENT'],
    [
      'too precise energy',
      { ...minimal, measuredEnergyWh: '0.0000001' },
      'data.measuredEnergyWh',
      'QUANTITY.TOO_PRECISE',
    ],
    [
      'an unsafe number',
      { ...minimal, inputTokens: 2 ** 53 },
      'data.inputTokens',
      'QUANTITY.OUT_OF_RANGE',
    ],
    [
      'too many fields',
      Object.fromEntries([...Array(65).keys()].map((k) => [`f${k}`, 1])),
      'data',
      USAGE_ISSUE.tooManyFields,
    ],
  ];
  it.each(rejected.map(([label, input, path, code]) => ({ label, input, path, code })))(
    'rejects $label with $code at $path',
    ({ input, path, code }) => {
      expect(issuesOf(input)).toContainEqual(expect.objectContaining({ path, code }));
    },
  );

  it('agrees alias and canonical values that are equal', () => {
    expect(valueOf({ ...minimal, model: 'm', 'gen_ai.request.model': 'm', gpuMs: 1 }).model).toBe(
      'm',
    );
  });

  it('roots paths where the caller says', () => {
    const result = validateUsageReportedV1({ ...minimal, gpuMs: -1 }, { path: '[3].data' });
    expect(result).toMatchObject({ ok: false, issues: [{ path: '[3].data.gpuMs' }] });
  });

  it('round-trips through its published JSON form', () => {
    const tokens = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(tokens, fc.option(tokens, { nil: undefined }), (input, energy) => {
        const value = valueOf({
          ...minimal,
          inputTokens: input.toString(),
          measuredEnergyMicroWh: energy?.toString(),
        });
        expect(valueOf(JSON.parse(JSON.stringify(serializeUsageReportedV1(value))))).toEqual(value);
      }),
    );
  });
});

describe('the reported CloudEvent', () => {
  it('is keyed by unit and survives both Kafka modes with quantities as strings', () => {
    const data = valueOf({ ...minimal, inputTokens: 12, outputTokens: 30 });
    const event = createUsageReportedV1Event({ id: 'r-1', source: 'urn:plafond:gateway', data });
    expect(event).toMatchObject({
      type: USAGE_REPORTED_V1_TYPE,
      subject: 'unit-7',
      partitionkey: 'unit-7',
      data: { inputTokens: '12', outputTokens: '30', requests: '1' },
    });
    for (const mode of ['structured', 'binary'] as const) {
      const decoded = decodeKafkaMessage(encodeKafkaMessage(event, { mode }));
      expect(valueOf(decoded.data)).toEqual(data);
    }
  });
});

describe('UsageReportedV1Dto', () => {
  it('finds the same field problems as the validator', () => {
    const input = { ...minimal, unitId: 'bad unit', inputTokens: -3, occurredAt: 'soon' };
    const dto = Object.assign(new UsageReportedV1Dto(), input);
    const viaDto = collectIssues(dto, 'data', 'X').map(({ path, code }) => ({ path, code }));
    const viaValidator = issuesOf(input).map(({ path, code }) => ({ path, code }));
    expect(viaDto).toEqual(expect.arrayContaining(viaValidator));
    expect(viaDto).toHaveLength(viaValidator.length);
  });
});
