import {
  absoluteUriProblem,
  mediaTypeProblem,
  timestampProblem,
  unicodeProblem,
  uriReferenceProblem,
} from '../syntax/syntax';
import { SatisfiesRule, type Rule } from '../validation/rule';
import { CLOUDEVENT_ISSUE, type CloudEventIssueCode } from './cloud-event.errors';

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
/** Structured mode media type (JSON event format), as the Kafka binding spells it. */
export const CLOUDEVENTS_JSON_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';
/** JSON batch format media type (HTTP only; the Kafka binding has no batch mode). */
export const CLOUDEVENTS_BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

/** Bounds on everything an envelope can hold, so no input can make us do unbounded work. */
export const CLOUDEVENT_LIMITS = {
  attributeChars: 2048,
  extensions: 32,
  extensionNameChars: 20,
  dataDepth: 32,
  dataValues: 100_000,
  messageBytes: 1_048_576,
  batchBytes: 4_194_304,
  batchEvents: 1_000,
} as const;

/**
 * Context attributes of a CloudEvent 1.0. Extension attributes sit next to them, top-level, as
 * in the JSON format; once validated their values are canonical strings (see README).
 */
export interface CloudEventContext {
  readonly specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  readonly id: string;
  /** URI-reference; `source` + `id` identify the event. */
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  /** RFC 3339 timestamp of the occurrence. */
  readonly time?: string;
  readonly datacontenttype?: string;
  /** Absolute URI of the schema `data` adheres to. */
  readonly dataschema?: string;
  /** Partitioning extension; the Kafka binding maps it to the record key. */
  readonly partitionkey?: string;
}

/**
 * A validated CloudEvent. `data` is a JSON value when `datacontenttype` is JSON (subtype `json`
 * or a `+json` suffix), otherwise a Buffer of the raw bytes.
 */
export type CloudEvent<T = unknown> = CloudEventContext & {
  readonly data?: T;
  readonly [extension: string]: unknown;
};

export const CORE_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
] as const;
/** Attributes the DTO checks; everything else but `data`/`data_base64` is an extension. */
export const KNOWN_ATTRIBUTES: readonly string[] = [...CORE_ATTRIBUTES, 'partitionkey'];

const fail = (code: CloudEventIssueCode, message: string) => ({ code, message });

interface StringRuleOptions {
  readonly required: boolean;
  readonly nonEmpty: boolean;
  readonly syntax?: (text: string) => string | undefined;
  readonly syntaxCode?: CloudEventIssueCode;
}

/** A CloudEvents `String` attribute, optionally with a syntax on top (URI, timestamp, ...). */
export function stringAttributeRule(options: StringRuleOptions): Rule {
  return (value) => {
    if (value === undefined || value === null) {
      return options.required
        ? fail(CLOUDEVENT_ISSUE.missingAttribute, 'is a required attribute')
        : undefined;
    }
    if (typeof value !== 'string') return fail(CLOUDEVENT_ISSUE.notAString, 'must be a string');
    if (value.length === 0) {
      return options.nonEmpty ? fail(CLOUDEVENT_ISSUE.emptyString, 'must not be empty') : undefined;
    }
    if (value.length > CLOUDEVENT_LIMITS.attributeChars) {
      return fail(CLOUDEVENT_ISSUE.tooLong, `exceeds ${CLOUDEVENT_LIMITS.attributeChars} chars`);
    }
    const unicode = unicodeProblem(value);
    if (unicode !== undefined) return fail(CLOUDEVENT_ISSUE.invalidCharacters, unicode);
    const syntax = options.syntax?.(value);
    if (syntax !== undefined && options.syntaxCode !== undefined) {
      return fail(options.syntaxCode, syntax);
    }
    return undefined;
  };
}

const specVersionRule: Rule = (value) => {
  if (value === undefined || value === null) {
    return fail(CLOUDEVENT_ISSUE.missingAttribute, 'is a required attribute');
  }
  return value === CLOUDEVENTS_SPEC_VERSION
    ? undefined
    : fail(CLOUDEVENT_ISSUE.unsupportedSpecVersion, 'must be "1.0"');
};
const requiredText = stringAttributeRule({ required: true, nonEmpty: true });
const optionalText = stringAttributeRule({ required: false, nonEmpty: true });

/**
 * The attributes of a CloudEvent with their rules, for class-validator (and Nest's
 * ValidationPipe). validateCloudEvent runs it and adds what a class cannot express: extension
 * attributes with dynamic names, and `data`/`data_base64`.
 */
export class CloudEventAttributesDto {
  @SatisfiesRule('cloudevent.specversion', specVersionRule)
  specversion!: string;

  @SatisfiesRule('cloudevent.id', requiredText)
  id!: string;

  @SatisfiesRule(
    'cloudevent.source',
    stringAttributeRule({
      required: true,
      nonEmpty: true,
      syntax: uriReferenceProblem,
      syntaxCode: CLOUDEVENT_ISSUE.invalidUriReference,
    }),
  )
  source!: string;

  @SatisfiesRule('cloudevent.type', requiredText)
  type!: string;

  @SatisfiesRule('cloudevent.subject', optionalText)
  subject?: string;

  @SatisfiesRule(
    'cloudevent.time',
    stringAttributeRule({
      required: false,
      nonEmpty: true,
      syntax: timestampProblem,
      syntaxCode: CLOUDEVENT_ISSUE.invalidTimestamp,
    }),
  )
  time?: string;

  @SatisfiesRule(
    'cloudevent.datacontenttype',
    stringAttributeRule({
      required: false,
      nonEmpty: true,
      syntax: mediaTypeProblem,
      syntaxCode: CLOUDEVENT_ISSUE.invalidMediaType,
    }),
  )
  datacontenttype?: string;

  @SatisfiesRule(
    'cloudevent.dataschema',
    stringAttributeRule({
      required: false,
      nonEmpty: true,
      syntax: absoluteUriProblem,
      syntaxCode: CLOUDEVENT_ISSUE.invalidUri,
    }),
  )
  dataschema?: string;

  @SatisfiesRule('cloudevent.partitionkey', optionalText)
  partitionkey?: string;
}
