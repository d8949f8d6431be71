import { unicodeProblem } from '../syntax/syntax';
import { isPlainObject, joinPath } from '../validation/issue';
import { collectIssues } from '../validation/rule';
import {
  CLOUDEVENT_LIMITS,
  CLOUDEVENTS_SPEC_VERSION,
  CloudEventAttributesDto,
  KNOWN_ATTRIBUTES,
  type CloudEvent,
  type CloudEventContext,
} from './cloud-event';
import { normalizeData } from './cloud-event-data';
import {
  CLOUDEVENT_ISSUE,
  CloudEventValidationError,
  type CloudEventIssue,
} from './cloud-event.errors';

const EXTENSION_NAME = /^[a-z0-9]+$/;
const DATA_MEMBERS = ['data', 'data_base64'];
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

export type CloudEventExtensionValue = string | number | boolean;

/** What a producer supplies; the id is the caller's (a retry reuses it), never invented here. */
export interface CloudEventInit<T = unknown> extends Omit<CloudEventContext, 'specversion'> {
  readonly extensions?: Readonly<Record<string, CloudEventExtensionValue>>;
  readonly data?: T;
}

/**
 * Checks a CloudEvent in the JSON format's shape (attributes and extensions top-level, `data`
 * or `data_base64`) and returns it in canonical form: unset attributes (`null`) dropped,
 * extension values as canonical strings in name order, `data` as described on CloudEvent.
 * Validating a canonical event returns an equal event.
 */
export function validateCloudEvent(input: unknown): CloudEvent {
  if (!isPlainObject(input)) {
    throw CloudEventValidationError.of('', CLOUDEVENT_ISSUE.notAnObject, 'must be a JSON object');
  }
  const attributes = new CloudEventAttributesDto();
  for (const name of KNOWN_ATTRIBUTES) {
    const value = input[name];
    if (value !== undefined && value !== null) Object.assign(attributes, { [name]: value });
  }
  const issues = collectIssues(
    attributes,
    '',
    CLOUDEVENT_ISSUE.invalidExtensionValue,
  ) as CloudEventIssue[];
  const extensions = collectExtensions(input, issues);
  const contentTypeValid = !issues.some((issue) => issue.path === 'datacontenttype');
  const payload = contentTypeValid
    ? normalizeData(input, attributes.datacontenttype, issues)
    : { present: false };
  if (issues.length > 0) throw new CloudEventValidationError(issues);

  const event: Record<string, unknown> = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: attributes.id,
    source: attributes.source,
    type: attributes.type,
  };
  const optional = {
    subject: attributes.subject,
    time: attributes.time,
    datacontenttype: payload.datacontenttype,
    dataschema: attributes.dataschema,
    partitionkey: attributes.partitionkey,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) event[name] = value;
  }
  for (const [name, value] of extensions) event[name] = value;
  if (payload.present) event.data = payload.data;
  return event as CloudEvent;
}

/** Builds and validates an event; extension values may be booleans or 32-bit integers. */
export function createCloudEvent<T>(init: CloudEventInit<T>): CloudEvent<T> {
  const { extensions = {}, ...rest } = init;
  const clashes = Object.keys(extensions).filter(
    (name) => KNOWN_ATTRIBUTES.includes(name) || DATA_MEMBERS.includes(name),
  );
  if (clashes.length > 0) {
    throw new CloudEventValidationError(
      clashes.map((name) => ({
        path: joinPath('extensions', name),
        code: CLOUDEVENT_ISSUE.invalidExtensionName,
        message: 'names a core attribute or data member; set it directly',
      })),
    );
  }
  const flat = { specversion: CLOUDEVENTS_SPEC_VERSION, ...extensions, ...rest };
  return validateCloudEvent(flat) as CloudEvent<T>;
}

/** The extension attributes of a validated event (partitionkey included), by name. */
export function cloudEventExtensions(event: CloudEvent): Record<string, string> {
  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    const core = (KNOWN_ATTRIBUTES.includes(name) && name !== 'partitionkey') || name === 'data';
    if (!core && typeof value === 'string') extensions[name] = value;
  }
  return extensions;
}

function collectExtensions(
  input: Record<string, unknown>,
  issues: CloudEventIssue[],
): [string, string][] {
  const names = Object.keys(input).filter(
    (name) => !KNOWN_ATTRIBUTES.includes(name) && !DATA_MEMBERS.includes(name),
  );
  if (names.length > CLOUDEVENT_LIMITS.extensions) {
    issues.push({
      path: '',
      code: CLOUDEVENT_ISSUE.tooManyExtensions,
      message: `has ${names.length} extension attributes; at most ${CLOUDEVENT_LIMITS.extensions}`,
    });
    return [];
  }
  const extensions: [string, string][] = [];
  for (const name of names.sort()) {
    const value = input[name];
    if (!EXTENSION_NAME.test(name) || name.length > CLOUDEVENT_LIMITS.extensionNameChars) {
      issues.push({
        path: name,
        code: CLOUDEVENT_ISSUE.invalidExtensionName,
        message: 'extension names are 1-20 lower-case ASCII letters or digits',
      });
      continue;
    }
    if (value === undefined || value === null) continue;
    const canonical = canonicalExtensionValue(value);
    if (canonical.ok) {
      extensions.push([name, canonical.text]);
      continue;
    }
    issues.push({
      path: name,
      code: CLOUDEVENT_ISSUE.invalidExtensionValue,
      message: canonical.reason,
    });
  }
  return extensions;
}

type Canonical = { ok: true; text: string } | { ok: false; reason: string };

/**
 * The CloudEvents canonical string of an extension value, or why there is none. Strings stay
 * as they are; booleans become `true`/`false`; integers must fit in 32 bits.
 */
function canonicalExtensionValue(value: unknown): Canonical {
  if (typeof value === 'boolean') return { ok: true, text: String(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      return { ok: false, reason: 'numbers must be 32-bit integers' };
    }
    return { ok: true, text: String(Object.is(value, -0) ? 0 : value) };
  }
  if (typeof value !== 'string') {
    return { ok: false, reason: 'must be a string, boolean or integer' };
  }
  if (value.length > CLOUDEVENT_LIMITS.attributeChars) {
    return { ok: false, reason: `exceeds ${CLOUDEVENT_LIMITS.attributeChars} characters` };
  }
  const problem = unicodeProblem(value);
  return problem === undefined ? { ok: true, text: value } : { ok: false, reason: problem };
}
