import { isJsonMediaType } from '../syntax/syntax';
import { hasOwn, isPlainObject } from '../validation/issue';
import { CLOUDEVENT_LIMITS } from './cloud-event';
import {
  CLOUDEVENT_ISSUE,
  CloudEventValidationError,
  type CloudEventIssue,
} from './cloud-event.errors';

/** The event's payload in canonical form, and the content type that goes with it. */
export interface NormalizedData {
  readonly present: boolean;
  readonly data?: unknown;
  readonly datacontenttype?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Brings `data`/`data_base64` to one in-memory form so that every encoding round-trips:
 * JSON content types (or none, which the JSON format defines as application/json) hold a JSON
 * value; any other content type holds a Buffer. Bytes without a content type are declared
 * application/octet-stream, which is what they are.
 */
export function normalizeData(
  input: Record<string, unknown>,
  datacontenttype: string | undefined,
  issues: CloudEventIssue[],
): NormalizedData {
  const hasData = hasOwn(input, 'data') && input.data !== undefined;
  const base64 = input.data_base64;
  const hasBase64 = base64 !== undefined && base64 !== null;
  if (hasData && hasBase64) {
    issues.push({
      path: 'data_base64',
      code: CLOUDEVENT_ISSUE.dataConflict,
      message: 'data and data_base64 are mutually exclusive',
    });
    return { present: false };
  }
  if (hasBase64) {
    if (typeof base64 !== 'string' || !BASE64.test(base64)) {
      issues.push({
        path: 'data_base64',
        code: CLOUDEVENT_ISSUE.invalidBase64,
        message: 'must be a base64 string (RFC 4648)',
      });
      return { present: false };
    }
    return fromBytes(Buffer.from(base64, 'base64'), datacontenttype, 'data_base64', issues);
  }
  if (!hasData) return datacontenttype === undefined ? { present: false } : absent(datacontenttype);
  const data = input.data;
  if (data instanceof Uint8Array) {
    return fromBytes(Buffer.from(data), datacontenttype, 'data', issues);
  }
  if (datacontenttype === undefined || isJsonMediaType(datacontenttype)) {
    const problem = jsonValueProblem(data);
    if (problem !== undefined) {
      issues.push({ path: 'data', code: CLOUDEVENT_ISSUE.dataNotJson, message: problem });
      return { present: false };
    }
    return { present: true, data, datacontenttype: datacontenttype ?? 'application/json' };
  }
  if (data === null) return absent(datacontenttype);
  if (typeof data !== 'string') {
    issues.push({
      path: 'data',
      code: CLOUDEVENT_ISSUE.dataTypeMismatch,
      message: `must be a string or bytes for content type ${datacontenttype}`,
    });
    return { present: false };
  }
  return { present: true, data: Buffer.from(data, 'utf8'), datacontenttype };
}

function absent(datacontenttype: string): NormalizedData {
  return { present: false, datacontenttype };
}

function fromBytes(
  bytes: Buffer,
  datacontenttype: string | undefined,
  path: string,
  issues: CloudEventIssue[],
): NormalizedData {
  if (datacontenttype === undefined) {
    return { present: true, data: bytes, datacontenttype: 'application/octet-stream' };
  }
  if (!isJsonMediaType(datacontenttype)) return { present: true, data: bytes, datacontenttype };
  try {
    const data = parseJson(decodeUtf8(bytes, path), path);
    const problem = jsonValueProblem(data);
    if (problem !== undefined)
      throw CloudEventValidationError.of(path, CLOUDEVENT_ISSUE.dataNotJson, problem);
    return { present: true, data, datacontenttype };
  } catch (error) {
    if (!(error instanceof CloudEventValidationError)) throw error;
    issues.push(...error.issues);
    return { present: false };
  }
}

/** Strict UTF-8: malformed bytes are an error, never U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw CloudEventValidationError.of(path, CLOUDEVENT_ISSUE.invalidUtf8, 'is not valid UTF-8');
  }
}

export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unparseable';
    throw CloudEventValidationError.of(
      path,
      CLOUDEVENT_ISSUE.invalidJson,
      `is not JSON: ${reason}`,
    );
  }
}

/**
 * Why a runtime value cannot be written as JSON and read back unchanged, if it cannot.
 * Walks iteratively with bounds on depth and on the number of values.
 */
export function jsonValueProblem(root: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  let seen = 1;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'contains a number JSON cannot represent';
      continue;
    }
    let children: unknown[];
    if (Array.isArray(value)) children = value;
    // An undefined member is omitted by JSON.stringify, as optional fields are; in an array it
    // would turn into null, so it is refused below.
    else if (isPlainObject(value)) children = Object.values(value).filter((v) => v !== undefined);
    else return `contains ${describe(value)}, which JSON cannot represent`;
    if (depth >= CLOUDEVENT_LIMITS.dataDepth) {
      return `is nested deeper than ${CLOUDEVENT_LIMITS.dataDepth} levels`;
    }
    seen += children.length;
    if (seen > CLOUDEVENT_LIMITS.dataValues) {
      return `holds more than ${CLOUDEVENT_LIMITS.dataValues} values`;
    }
    // Sparse array holes read as undefined here, and are rejected like any undefined.
    for (let index = 0; index < children.length; index += 1) {
      stack.push({ value: children[index], depth: depth + 1 });
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a value of type ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? `a ${name} object` : 'an object with a custom prototype';
}
