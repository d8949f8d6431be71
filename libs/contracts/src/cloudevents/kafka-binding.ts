import { mediaTypeEssence } from '../syntax/syntax';
import { CLOUDEVENT_LIMITS, CLOUDEVENTS_JSON_CONTENT_TYPE, type CloudEvent } from './cloud-event';
import { decodeUtf8 } from './cloud-event-data';
import {
  CLOUDEVENT_ISSUE,
  CloudEventValidationError,
  remapIssues,
  type CloudEventIssue,
} from './cloud-event.errors';
import { parseCloudEventJson, serializeCloudEventJson } from './json-format';
import { validateCloudEvent } from './validate-cloud-event';

/**
 * CloudEvents Kafka protocol binding 1.0: structured mode (the JSON format in the value) and
 * binary mode (`ce_` headers, `content-type` = datacontenttype, value = data bytes).
 * The types are structural so that kafkajs messages fit without this library importing kafkajs.
 */
export type KafkaContentMode = 'structured' | 'binary';
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export interface KafkaMessageLike {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, KafkaHeaderValue>>;
}

export interface EncodedKafkaMessage {
  /** The partitionkey extension, or null; Kafka then spreads records over partitions. */
  key: string | null;
  /** Null only in binary mode for an event without data (a tombstone on compacted topics). */
  value: Buffer | null;
  headers: Record<string, string>;
}

const HEADER_PREFIX = 'ce_';
const CONTENT_TYPE = 'content-type';
const MAX_HEADERS = 128;

export function encodeKafkaMessage(
  event: CloudEvent,
  options: { readonly mode: KafkaContentMode },
): EncodedKafkaMessage {
  const valid = validateCloudEvent(event);
  const key = valid.partitionkey ?? null;
  if (options.mode === 'structured') {
    return {
      key,
      value: Buffer.from(serializeCloudEventJson(valid), 'utf8'),
      headers: { [CONTENT_TYPE]: CLOUDEVENTS_JSON_CONTENT_TYPE },
    };
  }
  const contentType = valid.datacontenttype;
  if (contentType !== undefined && isCloudEventsMediaType(contentType)) {
    // A receiver would take this content-type for structured mode and misread the message.
    throw CloudEventValidationError.of(
      'datacontenttype',
      CLOUDEVENT_ISSUE.unsupportedFormat,
      'a CloudEvents media type as data content type needs structured mode',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(valid)) {
    if (name === 'data' || typeof value !== 'string') continue;
    headers[name === 'datacontenttype' ? CONTENT_TYPE : `${HEADER_PREFIX}${name}`] = value;
  }
  return { key, value: binaryValue(valid), headers };
}

/**
 * Reads a CloudEvent from a Kafka record as kafkajs delivers it. The mode is told by the
 * `content-type` header, per the binding: a CloudEvents media type means structured, anything
 * else binary. A record with neither a content-type nor any `ce_` header is read as structured
 * JSON, for producers that cannot set headers. The record key is not part of the event.
 */
export function decodeKafkaMessage(message: KafkaMessageLike): CloudEvent {
  const issues: CloudEventIssue[] = [];
  const headers = readHeaders(message.headers ?? {}, issues);
  const value = typeof message.value === 'string' ? Buffer.from(message.value) : message.value;
  if (value !== null && value.byteLength > CLOUDEVENT_LIMITS.messageBytes) {
    issues.push({
      path: 'value',
      code: CLOUDEVENT_ISSUE.tooLarge,
      message: `is ${value.byteLength} bytes; at most ${CLOUDEVENT_LIMITS.messageBytes}`,
    });
  }
  if (issues.length > 0) throw new CloudEventValidationError(issues);
  return kafkaContentMode(headers) === 'structured'
    ? decodeStructured(headers.get(CONTENT_TYPE), value)
    : decodeBinary(headers, value);
}

/** The content mode a receiver must assume for these (lower-cased, decoded) headers. */
function kafkaContentMode(headers: ReadonlyMap<string, string>): KafkaContentMode {
  const contentType = headers.get(CONTENT_TYPE);
  if (contentType !== undefined) {
    return isCloudEventsMediaType(contentType) ? 'structured' : 'binary';
  }
  const hasAttributes = [...headers.keys()].some((name) => name.startsWith(HEADER_PREFIX));
  return hasAttributes ? 'binary' : 'structured';
}

function decodeStructured(contentType: string | undefined, value: Buffer | null): CloudEvent {
  if (
    contentType !== undefined &&
    mediaTypeEssence(contentType) !== 'application/cloudevents+json'
  ) {
    throw CloudEventValidationError.of(
      `headers.${CONTENT_TYPE}`,
      CLOUDEVENT_ISSUE.unsupportedFormat,
      `${contentType} is not supported; use application/cloudevents+json or binary mode`,
    );
  }
  if (value === null || value.byteLength === 0) {
    throw CloudEventValidationError.of('value', CLOUDEVENT_ISSUE.emptyMessage, 'is empty');
  }
  return parseCloudEventJson(value, 'value');
}

function decodeBinary(headers: ReadonlyMap<string, string>, value: Buffer | null): CloudEvent {
  // No prototype: a header named ce___proto__ must become a (rejected) attribute, nothing more.
  const input = Object.create(null) as Record<string, unknown>;
  for (const [name, text] of headers) {
    if (!name.startsWith(HEADER_PREFIX)) continue;
    const attribute = name.slice(HEADER_PREFIX.length);
    if (attribute === 'datacontenttype') {
      throw CloudEventValidationError.of(
        `headers.${name}`,
        CLOUDEVENT_ISSUE.invalidHeader,
        'in binary mode the data content type travels in the content-type header',
      );
    }
    input[attribute] = text;
  }
  const contentType = headers.get(CONTENT_TYPE);
  if (contentType !== undefined) input.datacontenttype = contentType;
  if (value !== null) input.data = value;
  try {
    return validateCloudEvent(input);
  } catch (error) {
    if (!(error instanceof CloudEventValidationError)) throw error;
    throw remapIssues(error, binaryPath);
  }
}

function binaryPath(attributePath: string): string {
  if (attributePath === '') return '';
  if (attributePath === 'datacontenttype') return `headers.${CONTENT_TYPE}`;
  if (attributePath === 'data' || attributePath === 'data_base64') return 'value';
  return `headers.${HEADER_PREFIX}${attributePath}`;
}

function binaryValue(event: CloudEvent): Buffer | null {
  if (!Object.prototype.hasOwnProperty.call(event, 'data')) return null;
  const data = event.data;
  return data instanceof Uint8Array ? Buffer.from(data) : Buffer.from(JSON.stringify(data), 'utf8');
}

function isCloudEventsMediaType(contentType: string): boolean {
  return contentType.trimStart().toLowerCase().startsWith('application/cloudevents');
}

/**
 * Header names compared case-insensitively, values decoded as strict UTF-8. kafkajs gives an
 * array when a header repeats; repeats must agree, or the attribute would be ambiguous.
 */
function readHeaders(
  raw: Readonly<Record<string, KafkaHeaderValue>>,
  issues: CloudEventIssue[],
): Map<string, string> {
  const headers = new Map<string, string>();
  const entries = Object.entries(raw);
  if (entries.length > MAX_HEADERS) {
    issues.push({
      path: 'headers',
      code: CLOUDEVENT_ISSUE.invalidHeader,
      message: `has ${entries.length} headers; at most ${MAX_HEADERS}`,
    });
    return headers;
  }
  for (const [rawName, rawValue] of entries) {
    if (rawValue === undefined) continue;
    const path = `headers.${rawName}`;
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    if (values.length > MAX_HEADERS) {
      issues.push({ path, code: CLOUDEVENT_ISSUE.invalidHeader, message: 'repeats too often' });
      continue;
    }
    const texts = decodeHeaderValues(values, path, issues);
    const name = rawName.toLowerCase();
    const previous = headers.get(name);
    if (previous !== undefined) texts?.add(previous);
    if (texts !== undefined && texts.size > 1) {
      issues.push({
        path,
        code: CLOUDEVENT_ISSUE.invalidHeader,
        message: 'appears more than once with different values',
      });
      continue;
    }
    const [text] = texts ?? [];
    if (text !== undefined) headers.set(name, text);
  }
  return headers;
}

function decodeHeaderValues(
  values: readonly (Buffer | string)[],
  path: string,
  issues: CloudEventIssue[],
): Set<string> | undefined {
  try {
    return new Set(
      values.map((value) => (typeof value === 'string' ? value : decodeUtf8(value, path))),
    );
  } catch (error) {
    if (!(error instanceof CloudEventValidationError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}
