import { joinPath, type ContractIssue } from '../validation/issue';
import { CLOUDEVENT_LIMITS, type CloudEvent } from './cloud-event';
import { decodeUtf8, parseJson } from './cloud-event-data';
import { CLOUDEVENT_ISSUE, CloudEventValidationError, remapIssues } from './cloud-event.errors';
import { validateCloudEvent } from './validate-cloud-event';

/**
 * The event as a JSON-format object: binary data becomes `data_base64`, everything else is
 * copied. The event is validated first, so nothing invalid is ever written out.
 */
export function toCloudEventJsonObject(event: CloudEvent): Record<string, unknown> {
  const valid = validateCloudEvent(event);
  const json: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(valid)) {
    if (name === 'data' && value instanceof Uint8Array) {
      json.data_base64 = Buffer.from(value).toString('base64');
    } else {
      json[name] = value;
    }
  }
  return json;
}

/** Structured-mode body (`application/cloudevents+json`). */
export function serializeCloudEventJson(event: CloudEvent): string {
  return JSON.stringify(toCloudEventJsonObject(event));
}

/** Parses one structured-mode body (text or UTF-8 bytes); issue paths are rooted at `path`. */
export function parseCloudEventJson(body: string | Uint8Array, path = ''): CloudEvent {
  const parsed = parseBody(body, path, CLOUDEVENT_LIMITS.messageBytes);
  try {
    return validateCloudEvent(parsed);
  } catch (error) {
    if (!(error instanceof CloudEventValidationError)) throw error;
    throw remapIssues(error, (issuePath) => joinPath(path, issuePath));
  }
}

export type CloudEventBatchItem =
  | { readonly index: number; readonly ok: true; readonly event: CloudEvent }
  | {
      readonly index: number;
      readonly ok: false;
      readonly issues: readonly ContractIssue[];
      readonly raw: unknown;
    };

export interface BatchOptions {
  /** Defaults to CLOUDEVENT_LIMITS.batchEvents. */
  readonly maxEvents?: number;
}

/**
 * Reads an `application/cloudevents-batch+json` body: a JSON array of JSON-format events.
 * A body that is not such an array throws; each element is then judged on its own, so that a
 * batch response can say accepted or rejected (with issues at `[i].path`) per item.
 */
export function parseCloudEventsBatch(
  body: unknown,
  options: BatchOptions = {},
): CloudEventBatchItem[] {
  const maxEvents = options.maxEvents ?? CLOUDEVENT_LIMITS.batchEvents;
  const parsed =
    typeof body === 'string' || body instanceof Uint8Array
      ? parseBody(body, '', CLOUDEVENT_LIMITS.batchBytes)
      : body;
  if (!Array.isArray(parsed)) {
    throw CloudEventValidationError.of('', CLOUDEVENT_ISSUE.batchNotArray, 'must be a JSON array');
  }
  if (parsed.length > maxEvents) {
    throw CloudEventValidationError.of(
      '',
      CLOUDEVENT_ISSUE.batchTooLarge,
      `holds ${parsed.length} events; at most ${maxEvents}`,
    );
  }
  return parsed.map((raw: unknown, index): CloudEventBatchItem => {
    try {
      return { index, ok: true, event: validateCloudEvent(raw) };
    } catch (error) {
      if (!(error instanceof CloudEventValidationError)) throw error;
      const issues = error.issues.map((issue) => ({
        ...issue,
        path: joinPath(`[${index}]`, issue.path),
      }));
      return { index, ok: false, issues, raw };
    }
  });
}

function parseBody(body: string | Uint8Array, path: string, maxBytes: number): unknown {
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  if (size > maxBytes) {
    throw CloudEventValidationError.of(
      path,
      CLOUDEVENT_ISSUE.tooLarge,
      `is ${size} bytes; at most ${maxBytes}`,
    );
  }
  const text = typeof body === 'string' ? body : decodeUtf8(body, path);
  return parseJson(text, path);
}
