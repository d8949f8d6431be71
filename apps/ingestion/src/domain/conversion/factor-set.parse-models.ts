// Readers of the model half of a factor set: the parameter model and the per-model entries.
import { FACTORSET_ISSUE } from './errors';
import type { Decimal } from './exact';
import { BOUNDS, MAX_GPUS, Reader, isObject, type Bounds } from './factor-set.reader';
import type { ModelFactor, ParameterModel } from './factor-set.types';

const PARAMETER_MODEL_BOUNDS = {
  gpuMicroWhPerTokenPerBillionParameters: BOUNDS.microWhPerToken,
  gpuMicroWhPerToken: BOUNDS.microWhPerToken,
  latencySecondsPerTokenPerBillionParameters: BOUNDS.latencySeconds,
  latencySecondsPerToken: BOUNDS.latencySeconds,
  serverWattsPerGpu: BOUNDS.serverWatts,
} as const satisfies Record<string, Bounds>;
type ParameterField = keyof typeof PARAMETER_MODEL_BOUNDS;
const PARAMETER_FIELDS = Object.keys(PARAMETER_MODEL_BOUNDS) as ParameterField[];
const PER_TOKEN_FIELDS = ['inputMicroWhPerToken', 'outputMicroWhPerToken'] as const;

export function readParameterModel(
  read: Reader,
  raw: unknown,
  path: string,
): ParameterModel | undefined {
  const json = read.object(raw, path, [...PARAMETER_FIELDS, 'source']);
  if (json === undefined) return undefined;
  const values: Partial<Record<ParameterField, Decimal>> = {};
  for (const field of PARAMETER_FIELDS) {
    values[field] = read.field(json, field, path, true, (text, at) =>
      read.decimal(text, at, PARAMETER_MODEL_BOUNDS[field]),
    );
  }
  const source = read.source(json, path);
  const complete = (candidate: typeof values): candidate is Record<ParameterField, Decimal> =>
    PARAMETER_FIELDS.every((field) => candidate[field] !== undefined);
  return complete(values) ? { ...values, ...source } : undefined;
}

function readGpus(read: Reader, raw: unknown, path: string): number | undefined {
  const count = typeof raw === 'number' ? raw : Number.NaN;
  if (!Number.isSafeInteger(count)) {
    read.fail(
      path,
      FACTORSET_ISSUE.integerInvalid,
      'must be a whole number of GPUs (a JSON number)',
    );
    return undefined;
  }
  if (count < 1 || count > MAX_GPUS) {
    read.fail(path, FACTORSET_ISSUE.outOfRange, `must be between 1 and ${MAX_GPUS}`);
    return undefined;
  }
  return count;
}

export function readModel(
  read: Reader,
  raw: unknown,
  path: string,
  hasParameterModel: boolean,
): ModelFactor | undefined {
  if (!isObject(raw)) {
    read.fail(path, FACTORSET_ISSUE.notAnObject, 'must be a JSON object');
    return undefined;
  }
  const has = (field: string) => Object.prototype.hasOwnProperty.call(raw, field);
  const byParameters = has('activeParametersBillions');
  if (byParameters === PER_TOKEN_FIELDS.some(has)) {
    const why =
      'must give either activeParametersBillions, or inputMicroWhPerToken and outputMicroWhPerToken';
    read.fail(path, FACTORSET_ISSUE.modelKindInvalid, why);
    return undefined;
  }
  if (byParameters) {
    const json = read.object(raw, path, ['activeParametersBillions', 'gpus', 'source']);
    if (json === undefined) return undefined;
    if (!hasParameterModel) {
      const why = 'uses activeParametersBillions but the set has no parameterModel';
      read.fail(path, FACTORSET_ISSUE.parameterModelMissing, why);
    }
    const parameters = read.field(json, 'activeParametersBillions', path, true, (text, at) =>
      read.decimal(text, at, BOUNDS.parametersBillions),
    );
    const gpus = read.field(json, 'gpus', path, false, (count, at) => readGpus(read, count, at));
    const gpusValid = read.optional(json, 'gpus') === undefined || gpus !== undefined;
    const source = read.source(json, path);
    if (parameters === undefined || !gpusValid) return undefined;
    return {
      kind: 'activeParameters',
      activeParametersBillions: parameters,
      gpus: gpus ?? 1,
      ...source,
    };
  }
  const json = read.object(raw, path, [...PER_TOKEN_FIELDS, 'source']);
  if (json === undefined) return undefined;
  const [input, output] = PER_TOKEN_FIELDS.map((field) =>
    read.field(json, field, path, true, (text, at) =>
      read.decimal(text, at, BOUNDS.microWhPerToken),
    ),
  );
  const source = read.source(json, path);
  if (input === undefined || output === undefined) return undefined;
  return {
    kind: 'perToken',
    inputMicroWhPerToken: input,
    outputMicroWhPerToken: output,
    ...source,
  };
}
