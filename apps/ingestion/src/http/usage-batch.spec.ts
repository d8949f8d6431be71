import { PlafondError } from '@plafond/platform';
import { FACTOR_SET_ERROR } from '../application';
import { INGESTION_ERROR_STATUS, toHttpError } from './error-mapping';
import { IngestionError } from '../application';
import { itemPath, readUsageBatch, usageBatchAnswer } from './usage-batch';

const refusal = (run: () => unknown): unknown[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof PlafondError) return [error.httpStatus, error.code, error.details];
    throw error;
  }
  throw new Error('not refused');
};

describe('readUsageBatch', () => {
  it('reads a JSON array element by element: CloudEvents by their specversion, the rest as plain usage', () => {
    const event = { specversion: '1.0', id: 'a' };
    expect(readUsageBatch([event, { id: 'b' }, 7], 'application/json; charset=utf-8', 10)).toEqual([
      { format: 'cloudevent', event },
      { format: 'json', item: { id: 'b' } },
      { format: 'json', item: 7 },
    ]);
  });

  it('reads every element of a cloudevents batch as a CloudEvent, and one structured CloudEvent as a batch of one', () => {
    expect(readUsageBatch([{ id: 'b' }], 'application/cloudevents-batch+json', 10)).toEqual([
      { format: 'cloudevent', event: { id: 'b' } },
    ]);
    expect(readUsageBatch({ id: 'c' }, 'application/cloudevents+json', 10)).toEqual([
      { format: 'cloudevent', event: { id: 'c' } },
    ]);
  });

  it('refuses an empty batch, a non-array, too many items and other media types', () => {
    expect(refusal(() => readUsageBatch([], 'application/json', 2))).toEqual([
      400,
      'INGEST.BATCH_EMPTY',
      {},
    ]);
    expect(refusal(() => readUsageBatch({}, 'application/json', 2))).toEqual([
      400,
      'INGEST.BATCH_NOT_ARRAY',
      {},
    ]);
    expect(refusal(() => readUsageBatch([1, 2, 3], 'application/json', 2))).toEqual([
      413,
      'INGEST.BATCH_TOO_LARGE',
      { maxItems: 2, items: 3 },
    ]);
    expect(refusal(() => readUsageBatch([1], 'text/plain', 2))[1]).toBe(
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    );
    expect(refusal(() => readUsageBatch([1], undefined, 2))[0]).toBe(415);
  });
});

describe('usageBatchAnswer', () => {
  it('counts each status and prefixes paths with the item index', () => {
    const error = { code: 'INGEST.UNIT_OUT_OF_SCOPE', message: 'no', path: 'data.unitId' };
    const answer = usageBatchAnswer([
      { index: 0, status: 'accepted', id: 'a', source: 's', recordedEventId: 'r' },
      { index: 1, status: 'duplicate', id: 'a', source: 's', recordedEventId: 'r' },
      { index: 2, status: 'rejected', id: 'b', source: 's', error, issues: [error] },
    ]);
    expect(answer).toMatchObject({ accepted: 1, duplicates: 1, rejected: 1 });
    expect(answer.items[2]).toEqual({
      index: 2,
      status: 'rejected',
      id: 'b',
      source: 's',
      error: { ...error, path: '[2].data.unitId' },
      issues: [{ ...error, path: '[2].data.unitId' }],
    });
    expect(itemPath(4, '')).toBe('[4]');
    expect(itemPath(4, '["gen_ai.usage.input_tokens"]')).toBe('[4]["gen_ai.usage.input_tokens"]');
  });
});

describe('INGESTION_ERROR_STATUS', () => {
  it('gives every factor-set code a status and maps IngestionError to PlafondError', () => {
    for (const code of Object.values(FACTOR_SET_ERROR))
      expect(INGESTION_ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    const mapped = toHttpError(
      new IngestionError(FACTOR_SET_ERROR.versionExists, 'taken', { v: 1 }),
    );
    expect(mapped).toBeInstanceOf(PlafondError);
    expect(mapped).toMatchObject({
      code: 'FACTORSET.VERSION_EXISTS',
      httpStatus: 409,
      details: { v: 1 },
    });
    const other = new Error('x');
    expect(toHttpError(other)).toBe(other);
  });
});
