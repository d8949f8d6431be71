import { createCloudEvent, type CloudEvent } from '../cloudevents';
import { isPlainObject, type ContractIssue, type ValidationResult } from '../validation/issue';
import { SatisfiesRule } from '../validation/rule';
import { FieldReader, locateFields } from './field-reader';
import type { UsageReportedV1 } from './usage-event.v1';
import { stringifyQuantities, withoutUndefined } from './usage-reported.v1.validate';
import {
  USAGE_ISSUE,
  identifierRule,
  oneOfRule,
  quantityRule,
  textRule,
  timestampRule,
  uriReferenceRule,
} from './usage-rules';

/** CloudEvent type ingestion publishes on plafond.usage.recorded.v1. */
export const USAGE_RECORDED_V1_TYPE = 'org.plafond.usage.recorded.v1';
export const USAGE_RECORDED_V1_SCHEMA = 'urn:plafond:schema:usage.recorded.v1';
export const USAGE_METHODS = ['measured', 'modelled'] as const;
export type UsageMethod = (typeof USAGE_METHODS)[number];

/**
 * A recorded usage: the reported one after validation, plus the energy and carbon it stands
 * for, how they were obtained, and which reported event it came from.
 */
export interface UsageRecordedV1 extends Omit<UsageReportedV1, 'measuredEnergyMicroWh'> {
  readonly energyMicroWh: bigint;
  readonly carbonMicroGrams: bigint;
  /** Factor set that converted (or, for measured energy, only carbonised) the usage. */
  readonly factorSetVersion: string;
  /** measured: the integrator's energy figure was used; modelled: factors estimated it. */
  readonly method: UsageMethod;
  /** `source` and `id` of the reported CloudEvent: its identity, kept for audit. */
  readonly reportedSource: string;
  readonly reportedId: string;
}

/** UsageRecordedV1 as published: every quantity a decimal integer string. */
export type UsageRecordedV1Json = {
  readonly [K in keyof UsageRecordedV1]: UsageRecordedV1[K] extends bigint | undefined
    ? string
    : UsageRecordedV1[K];
};

const count = (required: boolean) => quantityRule({ required, requireString: true });

export const USAGE_RECORDED_V1_RULES = {
  unitId: identifierRule(true),
  useCase: identifierRule(true),
  model: textRule(false),
  responseModel: textRule(false),
  provider: textRule(false),
  region: textRule(false),
  inputTokens: count(false),
  outputTokens: count(false),
  requests: count(true),
  gpuMs: count(false),
  accelerator: textRule(false),
  energyMicroWh: count(true),
  carbonMicroGrams: count(true),
  factorSetVersion: textRule(true),
  method: oneOfRule(true, USAGE_METHODS),
  occurredAt: timestampRule(true),
  reservationId: identifierRule(false),
  reportedSource: uriReferenceRule(true),
  reportedId: textRule(true),
} as const;
const FIELDS = Object.keys(USAGE_RECORDED_V1_RULES);
/** Quantity fields, and whether each is required. */
const QUANTITIES = new Map<string, boolean>([
  ['inputTokens', false],
  ['outputTokens', false],
  ['requests', true],
  ['gpuMs', false],
  ['energyMicroWh', true],
  ['carbonMicroGrams', true],
]);

/**
 * Validates the `data` of an org.plafond.usage.recorded.v1 event as consumers read it. Strict:
 * no aliases, no unknown fields, quantities only as integer strings — this is our own output.
 */
export function validateUsageRecordedV1(
  input: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<UsageRecordedV1> {
  const base = options.path ?? 'data';
  if (!isPlainObject(input)) {
    const issue = { path: base, code: USAGE_ISSUE.notAnObject, message: 'must be a JSON object' };
    return { ok: false, issues: [issue] };
  }
  const issues: ContractIssue[] = [];
  const read = new FieldReader(locateFields(input, base, { fields: FIELDS }, issues), base, issues);
  const value: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(USAGE_RECORDED_V1_RULES)) {
    const required = QUANTITIES.get(name);
    value[name] =
      required === undefined
        ? read.text(name, rule)
        : read.quantity(name, { requireString: true }, required);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: withoutUndefined(value) as unknown as UsageRecordedV1 };
}

export function serializeUsageRecordedV1(value: UsageRecordedV1): UsageRecordedV1Json {
  return stringifyQuantities(value, FIELDS) as UsageRecordedV1Json;
}

/**
 * An org.plafond.usage.recorded.v1 CloudEvent keyed by unit. The id is the caller's and must
 * be derived from the reported event's identity, so that re-publishing after a crash yields
 * the same event (consumers deduplicate on source + id).
 */
export function createUsageRecordedV1Event(init: {
  readonly id: string;
  readonly source: string;
  readonly time: string;
  readonly data: UsageRecordedV1;
}): CloudEvent<UsageRecordedV1Json> {
  return createCloudEvent({
    id: init.id,
    source: init.source,
    type: USAGE_RECORDED_V1_TYPE,
    subject: init.data.unitId,
    time: init.time,
    datacontenttype: 'application/json',
    dataschema: USAGE_RECORDED_V1_SCHEMA,
    partitionkey: init.data.unitId,
    data: serializeUsageRecordedV1(init.data),
  });
}

/** class-validator shape of the recorded `data`, built from the same rules. */
export class UsageRecordedV1Dto {
  @SatisfiesRule('recorded.unitId', USAGE_RECORDED_V1_RULES.unitId) unitId!: string;
  @SatisfiesRule('recorded.useCase', USAGE_RECORDED_V1_RULES.useCase) useCase!: string;
  @SatisfiesRule('recorded.model', USAGE_RECORDED_V1_RULES.model) model?: string;
  @SatisfiesRule('recorded.responseModel', USAGE_RECORDED_V1_RULES.responseModel)
  responseModel?: string;
  @SatisfiesRule('recorded.provider', USAGE_RECORDED_V1_RULES.provider) provider?: string;
  @SatisfiesRule('recorded.region', USAGE_RECORDED_V1_RULES.region) region?: string;
  @SatisfiesRule('recorded.inputTokens', USAGE_RECORDED_V1_RULES.inputTokens)
  inputTokens?: string;
  @SatisfiesRule('recorded.outputTokens', USAGE_RECORDED_V1_RULES.outputTokens)
  outputTokens?: string;
  @SatisfiesRule('recorded.requests', USAGE_RECORDED_V1_RULES.requests) requests!: string;
  @SatisfiesRule('recorded.gpuMs', USAGE_RECORDED_V1_RULES.gpuMs) gpuMs?: string;
  @SatisfiesRule('recorded.accelerator', USAGE_RECORDED_V1_RULES.accelerator)
  accelerator?: string;
  @SatisfiesRule('recorded.energyMicroWh', USAGE_RECORDED_V1_RULES.energyMicroWh)
  energyMicroWh!: string;
  @SatisfiesRule('recorded.carbonMicroGrams', USAGE_RECORDED_V1_RULES.carbonMicroGrams)
  carbonMicroGrams!: string;
  @SatisfiesRule('recorded.factorSetVersion', USAGE_RECORDED_V1_RULES.factorSetVersion)
  factorSetVersion!: string;
  @SatisfiesRule('recorded.method', USAGE_RECORDED_V1_RULES.method) method!: UsageMethod;
  @SatisfiesRule('recorded.occurredAt', USAGE_RECORDED_V1_RULES.occurredAt) occurredAt!: string;
  @SatisfiesRule('recorded.reservationId', USAGE_RECORDED_V1_RULES.reservationId)
  reservationId?: string;
  @SatisfiesRule('recorded.reportedSource', USAGE_RECORDED_V1_RULES.reportedSource)
  reportedSource!: string;
  @SatisfiesRule('recorded.reportedId', USAGE_RECORDED_V1_RULES.reportedId) reportedId!: string;
}
