import { formatDecimal } from './exact';
import type { FactorSet, FactorSetJson, ModelFactor, ModelFactorJson } from './factor-set.types';

const withSource = <T extends object>(value: T, source: string | undefined) =>
  source === undefined ? value : { ...value, source };

const record = <T, U>(table: ReadonlyMap<string, T>, convert: (value: T) => U): Record<string, U> =>
  Object.fromEntries([...table].map(([key, value]) => [key, convert(value)]));

function serialiseModel(model: ModelFactor): ModelFactorJson {
  if (model.kind === 'perToken') {
    const factors = {
      inputMicroWhPerToken: formatDecimal(model.inputMicroWhPerToken),
      outputMicroWhPerToken: formatDecimal(model.outputMicroWhPerToken),
    };
    return withSource(factors, model.source);
  }
  const factors = {
    activeParametersBillions: formatDecimal(model.activeParametersBillions),
    gpus: model.gpus,
  };
  return withSource(factors, model.source);
}

/**
 * The JSON form of a factor set: what the ledger stores and the admin API shows. Decimals become
 * their shortest exact strings and instants their canonical ISO form, so
 * parseFactorSet(serialiseFactorSet(set)) gives the same set back.
 */
export function serialiseFactorSet(set: FactorSet): FactorSetJson {
  const { parameterModel: parameters, aliases, defaults } = set;
  return {
    version: set.version,
    effectiveFrom: set.effectiveFrom,
    ...(set.effectiveTo === undefined ? {} : { effectiveTo: set.effectiveTo }),
    description: set.description,
    pue: withSource({ value: formatDecimal(set.pue.value) }, set.pue.source),
    gridIntensity: record(set.gridIntensity, (entry) =>
      withSource({ gramsCo2ePerKwh: formatDecimal(entry.gramsCo2ePerKwh) }, entry.source),
    ),
    ...(parameters === undefined
      ? {}
      : {
          parameterModel: withSource(
            {
              gpuMicroWhPerTokenPerBillionParameters: formatDecimal(
                parameters.gpuMicroWhPerTokenPerBillionParameters,
              ),
              gpuMicroWhPerToken: formatDecimal(parameters.gpuMicroWhPerToken),
              latencySecondsPerTokenPerBillionParameters: formatDecimal(
                parameters.latencySecondsPerTokenPerBillionParameters,
              ),
              latencySecondsPerToken: formatDecimal(parameters.latencySecondsPerToken),
              serverWattsPerGpu: formatDecimal(parameters.serverWattsPerGpu),
            },
            parameters.source,
          ),
        }),
    models: record(set.models, serialiseModel),
    accelerators: record(set.accelerators, (entry) =>
      withSource({ watts: formatDecimal(entry.watts) }, entry.source),
    ),
    aliases: {
      models: record(aliases.models, (target) => target),
      regions: record(aliases.regions, (target) => target),
      accelerators: record(aliases.accelerators, (target) => target),
    },
    defaults: {
      region: defaults.region,
      ...(defaults.model === undefined ? {} : { model: defaults.model }),
      ...(defaults.accelerator === undefined ? {} : { accelerator: defaults.accelerator }),
    },
  };
}
