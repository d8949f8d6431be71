// Converts one usage to energy and carbon under one factor set, exactly (docs/conversion.md):
// every intermediate value is a fraction of bigints and each published quantity is rounded
// once, half up. Pure: no clock, no I/O, and the same inputs always give the same result.
import { QUANTITY_MAX, type UsageMethod } from '@plafond/contracts';
import { CONVERSION_ERROR, conversionError, type ConversionError, type Outcome } from './errors';
import {
  add,
  decimalToRatio,
  formatDecimal,
  formatRatio,
  integerRatio,
  multiply,
  ratio,
  roundHalfUp,
  type Ratio,
} from './exact';
import type { FactorSet, ModelFactor, ParameterModel } from './factor-set.types';
import { resolveName, type Resolution } from './resolve';

/** What conversion reads from a usage (a UsageReportedV1 satisfies it). */
export interface ConvertibleUsage {
  readonly model?: string;
  readonly responseModel?: string;
  readonly region?: string;
  readonly inputTokens?: bigint;
  readonly outputTokens?: bigint;
  readonly gpuMs?: bigint;
  readonly accelerator?: string;
  readonly measuredEnergyMicroWh?: bigint;
}

/** measured energy > GPU time > tokens: the first one the usage carries is the basis. */
export type ConversionBasis = 'measured' | 'gpuTime' | 'tokens';

/** Explanatory values are decimal strings, exact to 6 decimals of their unit (JSON as is). */
export interface TokensBreakdown {
  readonly model: Resolution;
  readonly kind: ModelFactor['kind'];
  readonly inputTokens: string;
  readonly outputTokens: string;
  readonly microWhPerInputToken: string;
  readonly microWhPerOutputToken: string;
  readonly activeParametersBillions?: string;
  readonly gpus?: number;
  readonly energyMicroWh: string;
}

export interface GpuBreakdown {
  readonly accelerator: Resolution;
  readonly gpuMs: string;
  readonly watts: string;
  readonly energyMicroWh: string;
}

export interface ConversionBreakdown {
  readonly basis: ConversionBasis;
  readonly tokens?: TokensBreakdown;
  readonly gpu?: GpuBreakdown;
  /** Energy before the data-centre overhead (the measured figure for `measured`). */
  readonly itEnergyMicroWh: string;
  /** PUE applied to the IT energy; absent for measured energy, which is taken as is. */
  readonly pue?: string;
  /** Exact energy before the one rounding; energyMicroWh is it rounded half up. */
  readonly energyMicroWhExact: string;
  readonly region: Resolution;
  readonly gramsCo2ePerKwh: string;
  /** Exact carbon before the one rounding; carbonMicroGrams is it rounded half up. */
  readonly carbonMicroGramsExact: string;
}

export interface Conversion {
  readonly energyMicroWh: bigint;
  readonly carbonMicroGrams: bigint;
  readonly method: UsageMethod;
  readonly factorSetVersion: string;
  readonly breakdown: ConversionBreakdown;
}

type Part<T> = Outcome<{ readonly energy: Ratio; readonly detail: T }, ConversionError>;

const MICRO_WH_PER_WATT_SECOND = ratio(1_000_000n, 3_600n); // 1 W·s = 1/3600 Wh
const MICRO_WH_PER_WATT_MILLISECOND = ratio(1_000n, 3_600n); // 1 W·ms = 1/3.6 µWh
const MICRO_GRAMS_PER_MICRO_WH_PER_G_PER_KWH = ratio(1n, 1_000n); // 1 µWh at 1 g/kWh = 0.001 µg

/** Energy per output token per GPU of the parameter model (µWh), for P billion parameters. */
export function parameterModelMicroWhPerToken(model: ParameterModel, parameters: Ratio): Ratio {
  const gpu = add(
    multiply(decimalToRatio(model.gpuMicroWhPerTokenPerBillionParameters), parameters),
    decimalToRatio(model.gpuMicroWhPerToken),
  );
  const latencySeconds = add(
    multiply(decimalToRatio(model.latencySecondsPerTokenPerBillionParameters), parameters),
    decimalToRatio(model.latencySecondsPerToken),
  );
  const server = multiply(
    decimalToRatio(model.serverWattsPerGpu),
    latencySeconds,
    MICRO_WH_PER_WATT_SECOND,
  );
  return add(gpu, server);
}

function tokensPart(usage: ConvertibleUsage, set: FactorSet): Part<TokensBreakdown> {
  const model = resolveName(usage.responseModel ?? usage.model, {
    table: set.models,
    aliases: set.aliases.models,
    fallback: set.defaults.model,
    prefix: true,
  });
  const factor = model && set.models.get(model.resolved);
  if (model === undefined || factor === undefined) {
    return conversionError(
      CONVERSION_ERROR.modelUnknown,
      'the factor set has no energy figure for this model and no default model',
      { model: usage.responseModel ?? usage.model, factorSetVersion: set.version },
    );
  }
  const inputTokens = usage.inputTokens ?? 0n;
  const outputTokens = usage.outputTokens ?? 0n;
  let perInput: Ratio;
  let perOutput: Ratio;
  let extra: Pick<TokensBreakdown, 'activeParametersBillions' | 'gpus'> = {};
  if (factor.kind === 'perToken') {
    perInput = decimalToRatio(factor.inputMicroWhPerToken);
    perOutput = decimalToRatio(factor.outputMicroWhPerToken);
  } else {
    // The validator refuses parameter-based models in a set without a parameter model.
    const parameterModel = set.parameterModel;
    if (parameterModel === undefined) throw new Error('factor set without its parameter model');
    const perGpu = parameterModelMicroWhPerToken(
      parameterModel,
      decimalToRatio(factor.activeParametersBillions),
    );
    perInput = integerRatio(0n); // EcoLogits models output tokens only
    perOutput = multiply(integerRatio(BigInt(factor.gpus)), perGpu);
    extra = {
      activeParametersBillions: formatDecimal(factor.activeParametersBillions),
      gpus: factor.gpus,
    };
  }
  const energy = add(
    multiply(integerRatio(inputTokens), perInput),
    multiply(integerRatio(outputTokens), perOutput),
  );
  const detail: TokensBreakdown = {
    model,
    kind: factor.kind,
    inputTokens: inputTokens.toString(),
    outputTokens: outputTokens.toString(),
    microWhPerInputToken: formatRatio(perInput),
    microWhPerOutputToken: formatRatio(perOutput),
    ...extra,
    energyMicroWh: formatRatio(energy),
  };
  return { ok: true, value: { energy, detail } };
}

function gpuPart(gpuMs: bigint, usage: ConvertibleUsage, set: FactorSet): Part<GpuBreakdown> {
  const accelerator = resolveName(usage.accelerator, {
    table: set.accelerators,
    aliases: set.aliases.accelerators,
    fallback: set.defaults.accelerator,
    prefix: true,
  });
  const factor = accelerator && set.accelerators.get(accelerator.resolved);
  if (accelerator === undefined || factor === undefined) {
    return conversionError(
      CONVERSION_ERROR.acceleratorUnknown,
      'the factor set has no power figure for this accelerator and no default accelerator',
      { accelerator: usage.accelerator, factorSetVersion: set.version },
    );
  }
  const energy = multiply(
    integerRatio(gpuMs),
    decimalToRatio(factor.watts),
    MICRO_WH_PER_WATT_MILLISECOND,
  );
  const detail: GpuBreakdown = {
    accelerator,
    gpuMs: gpuMs.toString(),
    watts: formatDecimal(factor.watts),
    energyMicroWh: formatRatio(energy),
  };
  return { ok: true, value: { energy, detail } };
}

type Basis =
  | { readonly basis: 'measured'; readonly energy: Ratio }
  | { readonly basis: 'gpuTime'; readonly energy: Ratio; readonly gpu: GpuBreakdown }
  | { readonly basis: 'tokens'; readonly energy: Ratio; readonly tokens: TokensBreakdown };

function itEnergy(usage: ConvertibleUsage, set: FactorSet): Outcome<Basis, ConversionError> {
  if (usage.measuredEnergyMicroWh !== undefined) {
    return {
      ok: true,
      value: { basis: 'measured', energy: integerRatio(usage.measuredEnergyMicroWh) },
    };
  }
  if (usage.gpuMs !== undefined) {
    const part = gpuPart(usage.gpuMs, usage, set);
    if (!part.ok) return part;
    const { energy, detail: gpu } = part.value;
    return { ok: true, value: { basis: 'gpuTime', energy, gpu } };
  }
  if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
    const part = tokensPart(usage, set);
    if (!part.ok) return part;
    const { energy, detail: tokens } = part.value;
    return { ok: true, value: { basis: 'tokens', energy, tokens } };
  }
  return conversionError(
    CONVERSION_ERROR.nothingToConvert,
    'the usage carries no measured energy, GPU time or tokens',
  );
}

/**
 * Energy and carbon of one usage under `set`. Measured energy wins over the model and is only
 * carbonised (no PUE: it is taken as the integrator reports it); otherwise GPU time, then tokens,
 * are converted to IT energy and multiplied by the PUE. Carbon is the exact energy times the grid
 * intensity of the usage's region. Each quantity is rounded once, half up, at the end.
 */
export function convert(
  usage: ConvertibleUsage,
  set: FactorSet,
): Outcome<Conversion, ConversionError> {
  const basis = itEnergy(usage, set);
  if (!basis.ok) return basis;
  const region = resolveName(usage.region, {
    table: set.gridIntensity,
    aliases: set.aliases.regions,
    fallback: set.defaults.region,
    prefix: false,
  });
  const intensity = region && set.gridIntensity.get(region.resolved);
  // defaults.region is validated to be a key of gridIntensity, so a region always resolves.
  if (region === undefined || intensity === undefined) throw new Error('unresolved region');

  const measured = basis.value.basis === 'measured';
  const pue = decimalToRatio(set.pue.value);
  const energyExact = measured ? basis.value.energy : multiply(basis.value.energy, pue);
  const carbonExact = multiply(
    energyExact,
    decimalToRatio(intensity.gramsCo2ePerKwh),
    MICRO_GRAMS_PER_MICRO_WH_PER_G_PER_KWH,
  );
  const energyMicroWh = roundHalfUp(energyExact);
  const carbonMicroGrams = roundHalfUp(carbonExact);
  if (energyMicroWh > QUANTITY_MAX || carbonMicroGrams > QUANTITY_MAX) {
    return conversionError(
      CONVERSION_ERROR.outOfRange,
      `the converted energy or carbon exceeds ${QUANTITY_MAX} micro-units`,
      { energyMicroWh: energyMicroWh.toString(), carbonMicroGrams: carbonMicroGrams.toString() },
    );
  }
  const { basis: _basis, energy: _energy, ...parts } = basis.value;
  return {
    ok: true,
    value: {
      energyMicroWh,
      carbonMicroGrams,
      method: measured ? 'measured' : 'modelled',
      factorSetVersion: set.version,
      breakdown: {
        basis: basis.value.basis,
        ...parts,
        itEnergyMicroWh: formatRatio(basis.value.energy),
        ...(measured ? {} : { pue: formatDecimal(set.pue.value) }),
        energyMicroWhExact: formatRatio(energyExact),
        region,
        gramsCo2ePerKwh: formatDecimal(intensity.gramsCo2ePerKwh),
        carbonMicroGramsExact: formatRatio(carbonExact),
      },
    },
  };
}
