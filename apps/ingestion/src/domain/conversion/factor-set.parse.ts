// Reads a factor set from its JSON form and checks it completely: every problem comes back at
// once with a path and a stable FACTORSET.* code, so an admin fixes a draft in one round trip.
import { FACTORSET_ISSUE, type FactorSetResult } from './errors';
import { compareRatio, decimalToRatio, ratio, type Decimal } from './exact';
import {
  BOUNDS,
  FACTOR_SET_LIMITS,
  Reader,
  VERSION_PATTERN,
  joinFactorPath,
  type Bounds,
  type Json,
} from './factor-set.reader';
import { readModel, readParameterModel } from './factor-set.parse-models';
import type { FactorSet, FactorSetDefaults, Pue } from './factor-set.types';

const ROOT_FIELDS = [
  'version',
  'effectiveFrom',
  'effectiveTo',
  'description',
  'pue',
  'gridIntensity',
  'parameterModel',
  'models',
  'accelerators',
  'aliases',
  'defaults',
];

type Header = Pick<FactorSet, 'version' | 'effectiveFrom' | 'effectiveTo' | 'description'>;

function readHeader(read: Reader, root: Json): Header | undefined {
  const version = read.field(root, 'version', '', true, (raw, at) => {
    const text = read.string(raw, at);
    if (text === undefined || VERSION_PATTERN.test(text)) return text;
    const rule = '1-64 characters: a-z 0-9 . _ -, starting with a letter or digit';
    read.fail(at, FACTORSET_ISSUE.versionInvalid, `must be ${rule}`);
    return undefined;
  });
  const instant = (raw: unknown, at: string) => read.instant(raw, at);
  const effectiveFrom = read.field(root, 'effectiveFrom', '', true, instant);
  const effectiveTo = read.field(root, 'effectiveTo', '', false, instant);
  if (effectiveFrom !== undefined && effectiveTo !== undefined && effectiveTo <= effectiveFrom) {
    read.fail('effectiveTo', FACTORSET_ISSUE.windowEmpty, 'must be later than effectiveFrom');
  }
  const description = read.field(root, 'description', '', true, (raw, at) =>
    read.text(raw, at, FACTOR_SET_LIMITS.descriptionChars),
  );
  if (version === undefined || effectiveFrom === undefined || description === undefined) {
    return undefined;
  }
  return {
    version,
    effectiveFrom,
    ...(effectiveTo === undefined ? {} : { effectiveTo }),
    description,
  };
}

function readPue(read: Reader, raw: unknown, path: string): Pue | undefined {
  const json = read.object(raw, path, ['value', 'source']);
  if (json === undefined) return undefined;
  const value = read.field(json, 'value', path, true, (text, at) =>
    read.decimal(text, at, BOUNDS.pue),
  );
  if (value === undefined) return undefined;
  if (compareRatio(decimalToRatio(value), ratio(1n)) < 0) {
    const why = 'must be at least 1: a data centre cannot use less energy than its IT load';
    read.fail(joinFactorPath(path, 'value'), FACTORSET_ISSUE.pueBelowOne, why);
    return undefined;
  }
  return { value, ...read.source(json, path) };
}

/** `{ <field>: "decimal", source? }`, the shape of grid intensities and accelerators. */
function readSourcedDecimal(
  read: Reader,
  raw: unknown,
  path: string,
  field: string,
  bounds: Bounds,
): { value: Decimal; source: { source?: string } } | undefined {
  const json = read.object(raw, path, [field, 'source']);
  if (json === undefined) return undefined;
  const value = read.field(json, field, path, true, (text, at) => read.decimal(text, at, bounds));
  const source = read.source(json, path);
  return value === undefined ? undefined : { value, source };
}

function readTable<T>(
  read: Reader,
  root: Json,
  name: string,
  limit: number,
  entry: (raw: unknown, at: string) => T | undefined,
): Map<string, T> {
  const table = new Map<string, T>();
  const entries = read.field(root, name, '', true, (raw, at) => read.table(raw, at, limit)) ?? [];
  for (const [key, raw, at] of entries) {
    const parsed = entry(raw, at);
    if (parsed !== undefined) table.set(key, parsed);
  }
  return table;
}

function readAliases(
  read: Reader,
  aliasesJson: Json,
  name: string,
  targets: ReadonlyMap<string, unknown>,
): Map<string, string> {
  const aliases = new Map<string, string>();
  const path = joinFactorPath('aliases', name);
  const raw = read.optional(aliasesJson, name);
  if (raw === undefined) return aliases;
  for (const [alias, value, at] of read.table(raw, path, FACTOR_SET_LIMITS.aliases) ?? []) {
    const target = read.string(value, at);
    if (target === undefined) continue;
    if (targets.has(alias)) {
      read.fail(at, FACTORSET_ISSUE.aliasShadowsKey, `"${alias}" is already a key of ${name}`);
    } else if (!targets.has(target)) {
      const why = `points to "${target.slice(0, 140)}", which ${name} does not have`;
      read.fail(at, FACTORSET_ISSUE.aliasTargetUnknown, why);
    } else {
      aliases.set(alias, target);
    }
  }
  return aliases;
}

type DefaultTables = Readonly<
  Record<keyof FactorSetDefaults, { name: string; keys: ReadonlyMap<string, unknown> }>
>;

function readDefaults(
  read: Reader,
  raw: unknown,
  path: string,
  tables: DefaultTables,
): FactorSetDefaults | undefined {
  const json = read.object(raw, path, ['region', 'model', 'accelerator']);
  if (json === undefined) return undefined;
  const key = (name: keyof FactorSetDefaults, required: boolean) =>
    read.field(json, name, path, required, (value, at) => {
      const text = read.string(value, at);
      const table = tables[name];
      if (text === undefined || table.keys.has(text)) return text;
      const why = `"${text.slice(0, 140)}" is not a key of ${table.name}`;
      read.fail(at, FACTORSET_ISSUE.defaultUnknown, why);
      return undefined;
    });
  const region = key('region', true);
  const model = key('model', false);
  const accelerator = key('accelerator', false);
  if (region === undefined) return undefined;
  return {
    region,
    ...(model === undefined ? {} : { model }),
    ...(accelerator === undefined ? {} : { accelerator }),
  };
}

function mapOf<T, U>(table: ReadonlyMap<string, T>, convert: (value: T) => U): Map<string, U> {
  return new Map([...table].map(([key, value]) => [key, convert(value)]));
}

function decodeJson(input: unknown): FactorSetResult<unknown> {
  if (typeof input !== 'string') return { ok: true, value: input };
  if (input.length > FACTOR_SET_LIMITS.jsonChars) {
    const message = `is longer than ${FACTOR_SET_LIMITS.jsonChars} characters`;
    return { ok: false, issues: [{ path: '$', code: FACTORSET_ISSUE.outOfRange, message }] };
  }
  try {
    return { ok: true, value: JSON.parse(input) as unknown };
  } catch (error) {
    const message = `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, issues: [{ path: '$', code: FACTORSET_ISSUE.notJson, message }] };
  }
}

/**
 * Validates a factor set given as JSON text or as an already parsed JSON value. Decimals are
 * strings ("81.3"); the result holds them exactly. Every issue is reported, none thrown.
 */
export function parseFactorSet(input: unknown): FactorSetResult<FactorSet> {
  const decoded = decodeJson(input);
  if (!decoded.ok) return decoded;
  const read = new Reader();
  const root = read.object(decoded.value, '', ROOT_FIELDS);
  if (root === undefined) return { ok: false, issues: read.issues };
  const header = readHeader(read, root);
  const pue = read.field(root, 'pue', '', true, (raw, at) => readPue(read, raw, at));
  const gridIntensity = readTable(
    read,
    root,
    'gridIntensity',
    FACTOR_SET_LIMITS.regions,
    (raw, at) => readSourcedDecimal(read, raw, at, 'gramsCo2ePerKwh', BOUNDS.gramsCo2ePerKwh),
  );
  const parameterModel = read.field(root, 'parameterModel', '', false, (raw, at) =>
    readParameterModel(read, raw, at),
  );
  const hasParameterModel = read.optional(root, 'parameterModel') !== undefined;
  const models = readTable(read, root, 'models', FACTOR_SET_LIMITS.models, (raw, at) =>
    readModel(read, raw, at, hasParameterModel),
  );
  const accelerators = readTable(
    read,
    root,
    'accelerators',
    FACTOR_SET_LIMITS.accelerators,
    (raw, at) => readSourcedDecimal(read, raw, at, 'watts', BOUNDS.watts),
  );
  const aliasesJson =
    read.field(root, 'aliases', '', false, (raw, at) =>
      read.object(raw, at, ['models', 'regions', 'accelerators']),
    ) ?? {};
  const aliases = {
    models: readAliases(read, aliasesJson, 'models', models),
    regions: readAliases(read, aliasesJson, 'regions', gridIntensity),
    accelerators: readAliases(read, aliasesJson, 'accelerators', accelerators),
  };
  const defaults = read.field(root, 'defaults', '', true, (raw, at) =>
    readDefaults(read, raw, at, {
      region: { name: 'gridIntensity', keys: gridIntensity },
      model: { name: 'models', keys: models },
      accelerator: { name: 'accelerators', keys: accelerators },
    }),
  );
  if (
    read.issues.length > 0 ||
    header === undefined ||
    pue === undefined ||
    defaults === undefined
  ) {
    return { ok: false, issues: read.issues };
  }
  return {
    ok: true,
    value: {
      ...header,
      pue,
      gridIntensity: mapOf(gridIntensity, (entry) => ({
        gramsCo2ePerKwh: entry.value,
        ...entry.source,
      })),
      ...(parameterModel === undefined ? {} : { parameterModel }),
      models,
      accelerators: mapOf(accelerators, (entry) => ({ watts: entry.value, ...entry.source })),
      aliases,
      defaults,
    },
  };
}
