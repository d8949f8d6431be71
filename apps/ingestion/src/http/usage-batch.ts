// Reading a POST /v1/usage body into the pipeline's items, and its answer. Pure.
import { PlafondError, PlatformErrorCode } from '@plafond/platform';
import type { IncomingUsage, ItemError, ItemResult } from '../application';

export const USAGE_HTTP_ERROR = {
  batchEmpty: 'INGEST.BATCH_EMPTY',
  batchTooLarge: 'INGEST.BATCH_TOO_LARGE',
  batchNotArray: 'INGEST.BATCH_NOT_ARRAY',
} as const;

export const CLOUDEVENTS_BATCH = 'application/cloudevents-batch+json';
export const CLOUDEVENT_SINGLE = 'application/cloudevents+json';

export const DEFAULT_MAX_BATCH_ITEMS = 1000;

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * - `application/cloudevents-batch+json`: an array of CloudEvents (JSON format).
 * - `application/cloudevents+json`: one CloudEvent (a batch of one).
 * - `application/json` (or another `+json`): an array whose elements are CloudEvents (they carry
 *   `specversion`) or plain usage objects, mixed as the caller likes.
 */
export function readUsageBatch(
  body: unknown,
  contentType: string | undefined,
  maxItems: number,
): IncomingUsage[] {
  const type = mediaType(contentType);
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json')))
    throw new PlafondError(
      PlatformErrorCode.requestUnsupportedMediaType,
      `Send application/json, ${CLOUDEVENTS_BATCH} or ${CLOUDEVENT_SINGLE}.`,
      { contentType: contentType ?? null },
      415,
    );
  if (type === CLOUDEVENT_SINGLE && isObject(body)) return [{ format: 'cloudevent', event: body }];
  if (!Array.isArray(body))
    throw new PlafondError(
      USAGE_HTTP_ERROR.batchNotArray,
      'The body must be a JSON array of usage events.',
      {},
      400,
    );
  if (body.length === 0)
    throw new PlafondError(USAGE_HTTP_ERROR.batchEmpty, 'The batch holds no event.', {}, 400);
  if (body.length > maxItems)
    throw new PlafondError(
      USAGE_HTTP_ERROR.batchTooLarge,
      `A batch holds at most ${maxItems} events; split it.`,
      { maxItems, items: body.length },
      413,
    );
  const allCloudEvents = type === CLOUDEVENTS_BATCH;
  return body.map((element: unknown): IncomingUsage =>
    allCloudEvents || (isObject(element) && 'specversion' in element)
      ? { format: 'cloudevent', event: element }
      : { format: 'json', item: element },
  );
}

export interface UsageItemAnswer {
  readonly index: number;
  readonly status: ItemResult['status'];
  readonly id?: string;
  readonly source?: string;
  readonly recordedEventId?: string;
  /** rejected: the first reason; `path` is from the body's root (`[3].data.inputTokens`). */
  readonly error?: ItemError;
  /** rejected: every reason. */
  readonly issues?: readonly ItemError[];
}

export interface UsageBatchAnswer {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly items: readonly UsageItemAnswer[];
}

export function itemPath(index: number, path: string): string {
  if (path === '') return `[${index}]`;
  return path.startsWith('[') ? `[${index}]${path}` : `[${index}].${path}`;
}

export function usageBatchAnswer(results: readonly ItemResult[]): UsageBatchAnswer {
  const prefix = (index: number, error: ItemError): ItemError => ({
    code: error.code,
    message: error.message,
    path: itemPath(index, error.path),
  });
  const items = results.map((result): UsageItemAnswer => ({
    index: result.index,
    status: result.status,
    ...(result.id === undefined ? {} : { id: result.id }),
    ...(result.source === undefined ? {} : { source: result.source }),
    ...(result.recordedEventId === undefined ? {} : { recordedEventId: result.recordedEventId }),
    ...(result.error === undefined ? {} : { error: prefix(result.index, result.error) }),
    ...(result.issues === undefined
      ? {}
      : { issues: result.issues.map((issue) => prefix(result.index, issue)) }),
  }));
  const count = (status: ItemResult['status']) =>
    results.filter((result) => result.status === status).length;
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    items,
  };
}
