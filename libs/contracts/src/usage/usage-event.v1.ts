import { SatisfiesRule } from '../validation/rule';
import { identifierRule, quantityRule, textRule, timestampRule } from './usage-rules';

/** CloudEvent type of usage as integrators report it (HTTP batch or the raw topic). */
export const USAGE_REPORTED_V1_TYPE = 'org.plafond.usage.reported.v1';
export const USAGE_REPORTED_V1_SCHEMA = 'urn:plafond:schema:usage.reported.v1';

/**
 * A reported usage, parsed: every quantity an exact bigint. At least one of inputTokens,
 * outputTokens, gpuMs or measuredEnergyMicroWh is present.
 */
export interface UsageReportedV1 {
  readonly unitId: string;
  readonly useCase: string;
  /** Requested model (gen_ai.request.model). */
  readonly model?: string;
  /** Model that actually answered (gen_ai.response.model), when it differs. */
  readonly responseModel?: string;
  /** GenAI provider (gen_ai.provider.name), e.g. openai, aws.bedrock. */
  readonly provider?: string;
  /** Where the compute ran; selects the grid carbon intensity. */
  readonly region?: string;
  readonly inputTokens?: bigint;
  readonly outputTokens?: bigint;
  /** Requests this event stands for; 1 when not reported. */
  readonly requests: bigint;
  readonly gpuMs?: bigint;
  /** Accelerator model for GPU time, e.g. nvidia-h100. */
  readonly accelerator?: string;
  /** Energy measured at the source; wins over modelled energy. */
  readonly measuredEnergyMicroWh?: bigint;
  /** RFC 3339 time the usage happened. */
  readonly occurredAt: string;
  /** Reservation this usage commits, if the unit reserved beforehand. */
  readonly reservationId?: string;
}

/**
 * UsageReportedV1 as JSON, the way Plafond writes it: quantities as decimal integer strings
 * (bigint-safe). Integrators may also send safe JSON integers, `measuredEnergyWh` as a decimal
 * Wh amount instead of `measuredEnergyMicroWh`, and OpenTelemetry GenAI attribute names.
 */
export type UsageReportedV1Json = {
  readonly [K in keyof UsageReportedV1]: UsageReportedV1[K] extends bigint | undefined
    ? string
    : UsageReportedV1[K];
};

export const USAGE_REPORTED_V1_FIELDS = [
  'unitId',
  'useCase',
  'model',
  'responseModel',
  'provider',
  'region',
  'inputTokens',
  'outputTokens',
  'requests',
  'gpuMs',
  'accelerator',
  'measuredEnergyMicroWh',
  'measuredEnergyWh',
  'occurredAt',
  'reservationId',
] as const;

/** The measurable quantities, of which a reported usage needs at least one. */
export const USAGE_MEASURABLE_FIELDS = [
  'inputTokens',
  'outputTokens',
  'gpuMs',
  'measuredEnergyMicroWh',
  'measuredEnergyWh',
] as const;

const optionalCount = quantityRule({ required: false });

/**
 * The canonical JSON shape of `data` for class-validator (e.g. a Nest ValidationPipe on a
 * single-event endpoint) and OpenAPI. It checks each field with the same rules as
 * validateUsageReportedV1, which remains the authority: only it maps OpenTelemetry aliases and
 * applies the cross-field rules (one measurable quantity, one form of measured energy).
 */
export class UsageReportedV1Dto {
  @SatisfiesRule('usage.unitId', identifierRule(true))
  unitId!: string;

  @SatisfiesRule('usage.useCase', identifierRule(true))
  useCase!: string;

  @SatisfiesRule('usage.model', textRule(false))
  model?: string;

  @SatisfiesRule('usage.responseModel', textRule(false))
  responseModel?: string;

  @SatisfiesRule('usage.provider', textRule(false))
  provider?: string;

  @SatisfiesRule('usage.region', textRule(false))
  region?: string;

  @SatisfiesRule('usage.inputTokens', optionalCount)
  inputTokens?: number | string;

  @SatisfiesRule('usage.outputTokens', optionalCount)
  outputTokens?: number | string;

  @SatisfiesRule('usage.requests', optionalCount)
  requests?: number | string;

  @SatisfiesRule('usage.gpuMs', optionalCount)
  gpuMs?: number | string;

  @SatisfiesRule('usage.accelerator', textRule(false))
  accelerator?: string;

  @SatisfiesRule('usage.measuredEnergyMicroWh', optionalCount)
  measuredEnergyMicroWh?: number | string;

  @SatisfiesRule('usage.measuredEnergyWh', quantityRule({ required: false }, true))
  measuredEnergyWh?: number | string;

  @SatisfiesRule('usage.occurredAt', timestampRule(true))
  occurredAt!: string;

  @SatisfiesRule('usage.reservationId', identifierRule(false))
  reservationId?: string;
}
