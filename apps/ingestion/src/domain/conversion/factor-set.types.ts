import type { Decimal } from './exact';

/**
 * Energy per token of one model. `perToken`: measured or published figures for input and output
 * tokens. `activeParameters`: the EcoLogits approach, energy per output token as a linear function
 * of the model's active parameter count, through the set's `parameterModel`.
 */
export type ModelFactor =
  | {
      readonly kind: 'perToken';
      readonly inputMicroWhPerToken: Decimal;
      readonly outputMicroWhPerToken: Decimal;
      readonly source?: string;
    }
  | {
      readonly kind: 'activeParameters';
      /** Active parameters in billions (for a mixture of experts, the active ones only). */
      readonly activeParametersBillions: Decimal;
      /** GPUs that hold the model; the per-GPU energy is multiplied by it. */
      readonly gpus: number;
      readonly source?: string;
    };

/**
 * Energy per output token, per GPU, for a model of P billion active parameters (µWh):
 *   gpu    = gpuMicroWhPerTokenPerBillionParameters × P + gpuMicroWhPerToken
 *   server = serverWattsPerGpu × (latencySecondsPerTokenPerBillionParameters × P
 *            + latencySecondsPerToken) × 10^6 / 3600
 * EcoLogits' GPU energy and server-without-GPU energy, with exact coefficients.
 */
export interface ParameterModel {
  readonly gpuMicroWhPerTokenPerBillionParameters: Decimal;
  readonly gpuMicroWhPerToken: Decimal;
  readonly latencySecondsPerTokenPerBillionParameters: Decimal;
  readonly latencySecondsPerToken: Decimal;
  readonly serverWattsPerGpu: Decimal;
  readonly source?: string;
}

export interface GridIntensity {
  readonly gramsCo2ePerKwh: Decimal;
  readonly source?: string;
}

/** Power drawn per GPU: W = joules per GPU-second. */
export interface AcceleratorFactor {
  readonly watts: Decimal;
  readonly source?: string;
}

export interface Pue {
  /** Power usage effectiveness, ≥ 1, at most 6 decimals (an exact parts-per-million figure). */
  readonly value: Decimal;
  readonly source?: string;
}

export interface FactorSetAliases {
  readonly models: ReadonlyMap<string, string>;
  readonly regions: ReadonlyMap<string, string>;
  readonly accelerators: ReadonlyMap<string, string>;
}

export interface FactorSetDefaults {
  /** Region used when an event names none, or one the set does not know. */
  readonly region: string;
  /** Model used for an unknown or absent model; without it such events fail to convert. */
  readonly model?: string;
  /** Accelerator used for an unknown or absent accelerator. */
  readonly accelerator?: string;
}

/**
 * A validated factor set. Table keys are lower case; lookups lower-case the event's names.
 * Instants are canonical ISO strings (`2026-01-01T00:00:00.000Z`); effectiveTo is exclusive.
 */
export interface FactorSet {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly effectiveTo?: string;
  readonly description: string;
  readonly pue: Pue;
  readonly gridIntensity: ReadonlyMap<string, GridIntensity>;
  readonly parameterModel?: ParameterModel;
  readonly models: ReadonlyMap<string, ModelFactor>;
  readonly accelerators: ReadonlyMap<string, AcceleratorFactor>;
  readonly aliases: FactorSetAliases;
  readonly defaults: FactorSetDefaults;
}

// ---- JSON form (what the admin API takes and the ledger stores): decimals as strings ----

export interface SourcedJson {
  readonly source?: string;
}
export type ModelFactorJson =
  | (SourcedJson & {
      readonly inputMicroWhPerToken: string;
      readonly outputMicroWhPerToken: string;
    })
  | (SourcedJson & { readonly activeParametersBillions: string; readonly gpus?: number });

export interface FactorSetJson {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly effectiveTo?: string;
  readonly description: string;
  readonly pue: SourcedJson & { readonly value: string };
  readonly gridIntensity: Readonly<
    Record<string, SourcedJson & { readonly gramsCo2ePerKwh: string }>
  >;
  readonly parameterModel?: SourcedJson & {
    readonly gpuMicroWhPerTokenPerBillionParameters: string;
    readonly gpuMicroWhPerToken: string;
    readonly latencySecondsPerTokenPerBillionParameters: string;
    readonly latencySecondsPerToken: string;
    readonly serverWattsPerGpu: string;
  };
  readonly models: Readonly<Record<string, ModelFactorJson>>;
  readonly accelerators: Readonly<Record<string, SourcedJson & { readonly watts: string }>>;
  readonly aliases?: {
    readonly models?: Readonly<Record<string, string>>;
    readonly regions?: Readonly<Record<string, string>>;
    readonly accelerators?: Readonly<Record<string, string>>;
  };
  readonly defaults: {
    readonly region: string;
    readonly model?: string;
    readonly accelerator?: string;
  };
}
