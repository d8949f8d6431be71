import { createCloudEvent, type CloudEvent } from '../cloudevents';
import { isPlainObject, type ContractIssue, type ValidationResult } from '../validation/issue';
import { FieldReader, locateFields } from './field-reader';
import { OTEL_GENAI_PREFIX, otelGenAiField } from './otel-genai';
import {
  USAGE_MEASURABLE_FIELDS,
  USAGE_REPORTED_V1_FIELDS,
  USAGE_REPORTED_V1_SCHEMA,
  USAGE_REPORTED_V1_TYPE,
  type UsageReportedV1,
  type UsageReportedV1Json,
} from './usage-event.v1';
import { USAGE_ISSUE, identifierRule, textRule, timestampRule } from './usage-rules';

/** measuredEnergyWh is input-only: it is published as measuredEnergyMicroWh. */
const REPORTED_OUTPUT_FIELDS = USAGE_REPORTED_V1_FIELDS.filter(
  (name) => name !== 'measuredEnergyWh',
);
const REQUIRED_ID = identifierRule(true);
const OPTIONAL_ID = identifierRule(false);
const OPTIONAL_TEXT = textRule(false);
const REQUIRED_TIME = timestampRule(true);

/**
 * Validates the `data` of an org.plafond.usage.reported.v1 event. Never throws for bad input:
 * a batch endpoint reports every item's issues (paths rooted at `options.path`, default
 * `data`). OpenTelemetry GenAI names are accepted as aliases; an alias and its canonical field
 * may both appear only with the same value.
 */
export function validateUsageReportedV1(
  input: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<UsageReportedV1> {
  const base = options.path ?? 'data';
  if (!isPlainObject(input)) {
    const issue = { path: base, code: USAGE_ISSUE.notAnObject, message: 'must be a JSON object' };
    return { ok: false, issues: [issue] };
  }
  const issues: ContractIssue[] = [];
  const fields = locateFields(
    input,
    base,
    { fields: USAGE_REPORTED_V1_FIELDS, alias: otelGenAiField, ignoredPrefix: OTEL_GENAI_PREFIX },
    issues,
  );
  const read = new FieldReader(fields, base, issues);
  const value = {
    unitId: read.text('unitId', REQUIRED_ID),
    useCase: read.text('useCase', REQUIRED_ID),
    model: read.text('model', OPTIONAL_TEXT),
    responseModel: read.text('responseModel', OPTIONAL_TEXT),
    provider: read.text('provider', OPTIONAL_TEXT),
    region: read.text('region', OPTIONAL_TEXT),
    inputTokens: read.quantity('inputTokens', {}),
    outputTokens: read.quantity('outputTokens', {}),
    requests: read.quantity('requests', {}) ?? 1n,
    gpuMs: read.quantity('gpuMs', {}),
    accelerator: read.text('accelerator', OPTIONAL_TEXT),
    measuredEnergyMicroWh: measuredEnergy(read),
    occurredAt: read.text('occurredAt', REQUIRED_TIME),
    reservationId: read.text('reservationId', OPTIONAL_ID),
  };
  if (!USAGE_MEASURABLE_FIELDS.some((name) => read.has(name))) {
    issues.push({
      path: base,
      code: USAGE_ISSUE.noMeasurableQuantity,
      message: `needs at least one of ${USAGE_MEASURABLE_FIELDS.join(', ')}`,
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: withoutUndefined(value) as unknown as UsageReportedV1 };
}

function measuredEnergy(read: FieldReader): bigint | undefined {
  const micro = read.quantity('measuredEnergyMicroWh', {});
  const wattHours = read.decimalMicro('measuredEnergyWh', {});
  if (read.has('measuredEnergyMicroWh') && read.has('measuredEnergyWh')) {
    read.issues.push({
      path: read.pathOf('measuredEnergyWh'),
      code: USAGE_ISSUE.conflictingFields,
      message: 'give measured energy once: measuredEnergyMicroWh or measuredEnergyWh',
    });
    return undefined;
  }
  return micro ?? wattHours;
}

/** The JSON Plafond writes for a reported usage: canonical names, quantities as strings. */
export function serializeUsageReportedV1(value: UsageReportedV1): UsageReportedV1Json {
  return stringifyQuantities(value, REPORTED_OUTPUT_FIELDS) as UsageReportedV1Json;
}

/** An org.plafond.usage.reported.v1 CloudEvent, keyed (partitionkey) and subjected by unit. */
export function createUsageReportedV1Event(init: {
  readonly id: string;
  readonly source: string;
  readonly time?: string;
  readonly data: UsageReportedV1;
}): CloudEvent<UsageReportedV1Json> {
  return createCloudEvent({
    id: init.id,
    source: init.source,
    type: USAGE_REPORTED_V1_TYPE,
    subject: init.data.unitId,
    time: init.time,
    datacontenttype: 'application/json',
    dataschema: USAGE_REPORTED_V1_SCHEMA,
    partitionkey: init.data.unitId,
    data: serializeUsageReportedV1(init.data),
  });
}

export function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * Picks `fields` in their listed order (so equal values serialize to equal bytes, and nothing
 * outside the schema leaks out) and writes bigints as decimal strings.
 */
export function stringifyQuantities(
  record: object,
  fields: readonly string[],
): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  const json: Record<string, unknown> = {};
  for (const name of fields) {
    const value = source[name];
    if (value !== undefined) json[name] = typeof value === 'bigint' ? value.toString() : value;
  }
  return json;
}
