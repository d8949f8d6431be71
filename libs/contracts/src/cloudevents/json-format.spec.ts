import { CLOUDEVENT_ISSUE, CloudEventValidationError } from './cloud-event.errors';
import {
  parseCloudEventJson,
  parseCloudEventsBatch,
  serializeCloudEventJson,
  toCloudEventJsonObject,
} from './json-format';
import { createCloudEvent } from './validate-cloud-event';

const valid = { specversion: '1.0', id: 'C234', source: '/mycontext/9', type: 'com.example' };

function errorOf(run: () => unknown): CloudEventValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof CloudEventValidationError) return error;
    throw error;
  }
  throw new Error('expected a CloudEventValidationError');
}

describe('JSON event format', () => {
  it('writes binary data as data_base64 and reads it back', () => {
    const event = createCloudEvent({
      ...valid,
      datacontenttype: 'application/vnd.apache.thrift.binary',
      data: new Uint8Array([1, 2, 250]),
    });
    expect(toCloudEventJsonObject(event)).toEqual({
      ...valid,
      datacontenttype: 'application/vnd.apache.thrift.binary',
      data_base64: 'AQL6',
    });
    expect(parseCloudEventJson(serializeCloudEventJson(event))).toEqual(event);
  });

  it('roots issue paths where the body sits', () => {
    const error = errorOf(() => parseCloudEventJson('{"specversion":"1.0"}', 'body'));
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'body.id',
      'body.source',
      'body.type',
    ]);
  });

  it('refuses an oversized body before parsing it', () => {
    const error = errorOf(() => parseCloudEventJson(' '.repeat(1_048_577)));
    expect(error.issues).toEqual([expect.objectContaining({ code: CLOUDEVENT_ISSUE.tooLarge })]);
  });
});

describe('parseCloudEventsBatch', () => {
  it('judges every element on its own', () => {
    const items = parseCloudEventsBatch(
      JSON.stringify([valid, { ...valid, id: '' }, 'junk', { ...valid, id: 'D1', data: [1] }]),
    );
    expect(items.map((item) => item.ok)).toEqual([true, false, false, true]);
    expect(items[1]).toEqual({
      index: 1,
      ok: false,
      raw: { ...valid, id: '' },
      issues: [
        { path: '[1].id', code: CLOUDEVENT_ISSUE.emptyString, message: 'must not be empty' },
      ],
    });
    expect(items[2]).toMatchObject({
      issues: [{ path: '[2]', code: CLOUDEVENT_ISSUE.notAnObject }],
    });
  });

  it('accepts an already parsed array and an empty batch', () => {
    expect(parseCloudEventsBatch([valid])).toEqual([{ index: 0, ok: true, event: valid }]);
    expect(parseCloudEventsBatch(Buffer.from('[]'))).toEqual([]);
  });

  it.each([
    ['an object', '{}', CLOUDEVENT_ISSUE.batchNotArray],
    ['broken JSON', '[', CLOUDEVENT_ISSUE.invalidJson],
    ['broken UTF-8', Buffer.from([0x5b, 0xff, 0x5d]), CLOUDEVENT_ISSUE.invalidUtf8],
  ])('refuses %s as a whole', (_label, body, code) => {
    expect(errorOf(() => parseCloudEventsBatch(body)).issues).toEqual([
      expect.objectContaining({ path: '', code }),
    ]);
  });

  it('bounds the number of events', () => {
    const error = errorOf(() => parseCloudEventsBatch([valid, valid, valid], { maxEvents: 2 }));
    expect(error.issues).toEqual([
      expect.objectContaining({ code: CLOUDEVENT_ISSUE.batchTooLarge }),
    ]);
  });
});
