import { FACTORSET_ISSUE } from './errors';
import { parseFactorSet } from './factor-set.parse';
import { serialiseFactorSet } from './factor-set.serialise';
import { TEST_SET_JSON, factorSet, testSetJson } from './testing/factor-set.fixtures';

function issuesOf(input: unknown): { path: string; code: string }[] {
  const parsed = parseFactorSet(input);
  if (parsed.ok) return [];
  return parsed.issues.map(({ path, code }) => ({ path, code }));
}

const models = TEST_SET_JSON.models;

describe('parseFactorSet', () => {
  it('reads a valid set exactly, from JSON text or a parsed value', () => {
    const fromText = parseFactorSet(JSON.stringify(TEST_SET_JSON));
    expect(fromText.ok).toBe(true);
    if (!fromText.ok) return;
    const set = fromText.value;
    expect(set.version).toBe('test-2026.1');
    expect(set.effectiveFrom).toBe('2026-01-01T00:00:00.000Z');
    expect(set.pue.value).toEqual({ units: 15n, scale: 1 });
    expect(set.gridIntensity.get('fr')).toEqual({
      gramsCo2ePerKwh: { units: 805n, scale: 1 },
      source: 'test',
    });
    expect(set.models.get('param-7b')).toEqual({
      kind: 'activeParameters',
      activeParametersBillions: { units: 7n, scale: 0 },
      gpus: 2,
    });
    expect(set.models.get('tiny-per-token')?.kind).toBe('perToken');
    expect(set.aliases.regions.get('fra')).toBe('fr');
    expect(set.defaults).toEqual({ region: 'world', model: 'param-7b', accelerator: 'gpu-x' });
    expect(parseFactorSet(TEST_SET_JSON)).toEqual(fromText);
  });

  it('round-trips through serialiseFactorSet', () => {
    const set = factorSet(TEST_SET_JSON);
    const json = serialiseFactorSet(set);
    expect(json.pue).toEqual({ value: '1.5' });
    expect(json.models['param-7b']).toEqual({ activeParametersBillions: '7', gpus: 2 });
    expect(factorSet(JSON.parse(JSON.stringify(json)))).toEqual(set);
  });

  it('defaults gpus to 1 and accepts a set without aliases, parameter model or end', () => {
    const set = factorSet(
      testSetJson({
        aliases: undefined,
        models: { m: { activeParametersBillions: '1.5' } },
        defaults: { region: 'world' },
      }),
    );
    expect(set.models.get('m')).toMatchObject({ kind: 'activeParameters', gpus: 1 });
    expect(set.aliases.models.size).toBe(0);
    const gpuOnly = factorSet(
      testSetJson({
        parameterModel: undefined,
        models: {},
        aliases: undefined,
        defaults: { region: 'world' },
      }),
    );
    expect(gpuOnly.parameterModel).toBeUndefined();
  });

  it('reports every issue at once, each with its path', () => {
    const issues = issuesOf(
      testSetJson({ version: 'Bad Version', pue: { value: '0.9' }, colour: 'green' }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'colour', code: FACTORSET_ISSUE.unknownField },
        { path: 'version', code: FACTORSET_ISSUE.versionInvalid },
        { path: 'pue.value', code: FACTORSET_ISSUE.pueBelowOne },
      ]),
    );
    expect(issues).toHaveLength(3);
  });

  describe('codes', () => {
    const cases: [string, unknown, { path: string; code: string }][] = [
      ['NOT_JSON', '{"version":', { path: '$', code: FACTORSET_ISSUE.notJson }],
      ['NOT_AN_OBJECT (root)', [], { path: '$', code: FACTORSET_ISSUE.notAnObject }],
      [
        'NOT_AN_OBJECT (nested)',
        testSetJson({ pue: '1.5' }),
        { path: 'pue', code: FACTORSET_ISSUE.notAnObject },
      ],
      [
        'UNKNOWN_FIELD',
        testSetJson({ pue: { value: '1.5', note: 'x' } }),
        { path: 'pue.note', code: FACTORSET_ISSUE.unknownField },
      ],
      [
        'MISSING_FIELD',
        testSetJson({ version: undefined }),
        { path: 'version', code: FACTORSET_ISSUE.missingField },
      ],
      [
        'NOT_A_STRING',
        testSetJson({ version: 3 }),
        { path: 'version', code: FACTORSET_ISSUE.notAString },
      ],
      [
        'VERSION_INVALID',
        testSetJson({ version: 'v 1' }),
        { path: 'version', code: FACTORSET_ISSUE.versionInvalid },
      ],
      [
        'TIMESTAMP_INVALID (no such day)',
        testSetJson({ effectiveFrom: '2026-02-30T00:00:00Z' }),
        { path: 'effectiveFrom', code: FACTORSET_ISSUE.timestampInvalid },
      ],
      [
        'TIMESTAMP_INVALID (not UTC)',
        testSetJson({ effectiveTo: '2026-06-01T00:00:00+02:00' }),
        { path: 'effectiveTo', code: FACTORSET_ISSUE.timestampInvalid },
      ],
      [
        'WINDOW_EMPTY',
        testSetJson({ effectiveTo: '2026-01-01T00:00:00.000Z' }),
        { path: 'effectiveTo', code: FACTORSET_ISSUE.windowEmpty },
      ],
      [
        'TEXT_INVALID',
        testSetJson({ description: ' padded ' }),
        { path: 'description', code: FACTORSET_ISSUE.textInvalid },
      ],
      [
        'DECIMAL_INVALID (exponent)',
        testSetJson({ gridIntensity: { world: { gramsCo2ePerKwh: '5e2' } } }),
        { path: 'gridIntensity.world.gramsCo2ePerKwh', code: FACTORSET_ISSUE.decimalInvalid },
      ],
      [
        'DECIMAL_INVALID (PUE beyond parts per million)',
        testSetJson({ pue: { value: '1.0000001' } }),
        { path: 'pue.value', code: FACTORSET_ISSUE.decimalInvalid },
      ],
      [
        'INTEGER_INVALID',
        testSetJson({
          models: { ...models, 'param-7b': { activeParametersBillions: '7', gpus: 1.5 } },
        }),
        { path: 'models["param-7b"].gpus', code: FACTORSET_ISSUE.integerInvalid },
      ],
      [
        'OUT_OF_RANGE (grid intensity)',
        testSetJson({ gridIntensity: { world: { gramsCo2ePerKwh: '10000.1' } } }),
        { path: 'gridIntensity.world.gramsCo2ePerKwh', code: FACTORSET_ISSUE.outOfRange },
      ],
      [
        'OUT_OF_RANGE (zero watts)',
        testSetJson({ accelerators: { 'gpu-x': { watts: '0' }, 'gpu-y': { watts: '400' } } }),
        { path: 'accelerators["gpu-x"].watts', code: FACTORSET_ISSUE.outOfRange },
      ],
      [
        'PUE_BELOW_ONE',
        testSetJson({ pue: { value: '0.99' } }),
        { path: 'pue.value', code: FACTORSET_ISSUE.pueBelowOne },
      ],
      [
        'KEY_INVALID',
        testSetJson({ models: { ...models, 'GPT-4o': { activeParametersBillions: '200' } } }),
        { path: 'models["GPT-4o"]', code: FACTORSET_ISSUE.keyInvalid },
      ],
      [
        'TOO_MANY_ENTRIES',
        testSetJson({
          accelerators: Object.fromEntries(
            Array.from({ length: 501 }, (_, index) => [`gpu-${index}`, { watts: '1' }]),
          ),
          defaults: { region: 'world' },
          aliases: undefined,
        }),
        { path: 'accelerators', code: FACTORSET_ISSUE.tooManyEntries },
      ],
      [
        'MODEL_KIND_INVALID',
        testSetJson({
          models: {
            ...models,
            both: { activeParametersBillions: '7', inputMicroWhPerToken: '1' },
          },
        }),
        { path: 'models.both', code: FACTORSET_ISSUE.modelKindInvalid },
      ],
      [
        'PARAMETER_MODEL_MISSING',
        testSetJson({ parameterModel: undefined }),
        { path: 'models["param-7b"]', code: FACTORSET_ISSUE.parameterModelMissing },
      ],
      [
        'ALIAS_TARGET_UNKNOWN',
        testSetJson({ aliases: { regions: { deu: 'de' } } }),
        { path: 'aliases.regions.deu', code: FACTORSET_ISSUE.aliasTargetUnknown },
      ],
      [
        'ALIAS_SHADOWS_KEY',
        testSetJson({ aliases: { regions: { world: 'fr' } } }),
        { path: 'aliases.regions.world', code: FACTORSET_ISSUE.aliasShadowsKey },
      ],
      [
        'DEFAULT_UNKNOWN',
        testSetJson({ defaults: { region: 'mars' } }),
        { path: 'defaults.region', code: FACTORSET_ISSUE.defaultUnknown },
      ],
    ];

    it.each(cases)('%s', (_name, input, expected) => {
      expect(issuesOf(input)).toContainEqual(expected);
    });

    it('refuses a text larger than the limit before parsing it', () => {
      expect(issuesOf(' '.repeat(2_000_001))).toEqual([
        { path: '$', code: FACTORSET_ISSUE.outOfRange },
      ]);
    });

    it('gives each issue a message a person can act on', () => {
      const parsed = parseFactorSet(testSetJson({ defaults: { region: 'mars' } }));
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.issues[0]?.message).toBe('"mars" is not a key of gridIntensity');
    });
  });
});
