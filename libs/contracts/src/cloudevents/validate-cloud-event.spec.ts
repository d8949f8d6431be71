import { collectIssues } from '../validation/rule';
import { CloudEventAttributesDto, CLOUDEVENT_LIMITS } from './cloud-event';
import { CLOUDEVENT_ISSUE, CloudEventValidationError } from './cloud-event.errors';
import { cloudEventExtensions, createCloudEvent, validateCloudEvent } from './validate-cloud-event';

const minimal = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: '/mycontext',
  type: 'com.example.someevent',
};

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof CloudEventValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a CloudEventValidationError');
}

describe('validateCloudEvent', () => {
  it('accepts the JSON format example of the spec, with extensions as canonical strings', () => {
    const event = validateCloudEvent({
      ...minimal,
      time: '2018-04-05T17:31:00Z',
      comexampleextension1: 'value',
      comexampleothervalue: 5,
      flag: true,
      unsetextension: null,
      subject: null,
      datacontenttype: 'application/json',
      data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
    });
    expect(event).toEqual({
      ...minimal,
      time: '2018-04-05T17:31:00Z',
      datacontenttype: 'application/json',
      comexampleextension1: 'value',
      comexampleothervalue: '5',
      flag: 'true',
      data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
    });
    expect(cloudEventExtensions(event)).toEqual({
      comexampleextension1: 'value',
      comexampleothervalue: '5',
      flag: 'true',
    });
  });

  it('is idempotent on its own output', () => {
    const event = validateCloudEvent({ ...minimal, partitionkey: 'unit-1', data: [1, 'two'] });
    expect(validateCloudEvent(event)).toEqual(event);
  });

  it('makes the implied application/json explicit when data is present', () => {
    expect(validateCloudEvent({ ...minimal, data: "I'm just a string" })).toMatchObject({
      datacontenttype: 'application/json',
      data: "I'm just a string",
    });
    expect(validateCloudEvent({ ...minimal, data: null })).toMatchObject({ data: null });
    expect(validateCloudEvent(minimal)).not.toHaveProperty('datacontenttype');
  });

  it('holds non-JSON data as bytes, whether it came as data or data_base64', () => {
    const xml = '<much wow="xml"/>';
    const fromString = validateCloudEvent({ ...minimal, datacontenttype: 'text/xml', data: xml });
    const fromBase64 = validateCloudEvent({
      ...minimal,
      datacontenttype: 'text/xml',
      data_base64: Buffer.from(xml).toString('base64'),
    });
    expect(fromString.data).toEqual(Buffer.from(xml));
    expect(fromBase64).toEqual(fromString);
  });

  it('reads data_base64 with a JSON content type as the JSON it holds', () => {
    const event = validateCloudEvent({
      ...minimal,
      datacontenttype: 'application/json',
      data_base64: Buffer.from('{"a":1}').toString('base64'),
    });
    expect(event.data).toEqual({ a: 1 });
  });

  it('declares bytes without a content type as application/octet-stream', () => {
    const event = validateCloudEvent({ ...minimal, data: new Uint8Array([1, 2, 3]) });
    expect(event).toMatchObject({ datacontenttype: 'application/octet-stream' });
    expect(event.data).toEqual(Buffer.from([1, 2, 3]));
  });

  it('drops data: null for non-JSON content types and keeps the content type', () => {
    const event = validateCloudEvent({ ...minimal, datacontenttype: 'text/plain', data: null });
    expect(event).toEqual({ ...minimal, datacontenttype: 'text/plain' });
  });

  it('reports every problem at once, with paths', () => {
    const issues = issuesOf(() =>
      validateCloudEvent({ specversion: '0.3', id: '', source: 'a b', time: 'yesterday' }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'specversion',
          code: 'CLOUDEVENT.UNSUPPORTED_SPECVERSION',
        }),
        expect.objectContaining({ path: 'id', code: 'CLOUDEVENT.EMPTY_STRING' }),
        expect.objectContaining({ path: 'source', code: 'CLOUDEVENT.INVALID_URI_REFERENCE' }),
        expect.objectContaining({ path: 'type', code: 'CLOUDEVENT.MISSING_ATTRIBUTE' }),
        expect.objectContaining({ path: 'time', code: 'CLOUDEVENT.INVALID_TIMESTAMP' }),
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('throws one error code with a readable message', () => {
    expect(() => validateCloudEvent({ ...minimal, id: 7 })).toThrow(
      expect.objectContaining({
        code: 'CLOUDEVENT.INVALID',
        message: 'invalid CloudEvent: id must be a string [CLOUDEVENT.NOT_A_STRING]',
      }),
    );
  });

  const rejected: [string, unknown, string, string][] = [
    ['an array', [minimal], '', CLOUDEVENT_ISSUE.notAnObject],
    ['a missing id', { ...minimal, id: undefined }, 'id', CLOUDEVENT_ISSUE.missingAttribute],
    [
      'spec version 0.3',
      { ...minimal, specversion: '0.3' },
      'specversion',
      CLOUDEVENT_ISSUE.unsupportedSpecVersion,
    ],
    ['a numeric type', { ...minimal, type: 1 }, 'type', CLOUDEVENT_ISSUE.notAString],
    ['an empty subject', { ...minimal, subject: '' }, 'subject', CLOUDEVENT_ISSUE.emptyString],
    ['a control character', { ...minimal, id: 'a\nb' }, 'id', CLOUDEVENT_ISSUE.invalidCharacters],
    ['a huge id', { ...minimal, id: 'x'.repeat(2049) }, 'id', CLOUDEVENT_ISSUE.tooLong],
    [
      'a bad source',
      { ...minimal, source: 'not a uri' },
      'source',
      CLOUDEVENT_ISSUE.invalidUriReference,
    ],
    [
      'a relative dataschema',
      { ...minimal, dataschema: '/s' },
      'dataschema',
      CLOUDEVENT_ISSUE.invalidUri,
    ],
    ['a bad time', { ...minimal, time: '2018-04-05' }, 'time', CLOUDEVENT_ISSUE.invalidTimestamp],
    [
      'a bad content type',
      { ...minimal, datacontenttype: 'json' },
      'datacontenttype',
      CLOUDEVENT_ISSUE.invalidMediaType,
    ],
    [
      'an upper-case extension',
      { ...minimal, myExt: 'x' },
      'myExt',
      CLOUDEVENT_ISSUE.invalidExtensionName,
    ],
    [
      'a long extension name',
      { ...minimal, abcdefghijklmnopqrstu: 'x' },
      'abcdefghijklmnopqrstu',
      CLOUDEVENT_ISSUE.invalidExtensionName,
    ],
    [
      'the reserved name data_x',
      { ...minimal, data_x: 1 },
      '',
      CLOUDEVENT_ISSUE.invalidExtensionName,
    ],
    [
      'a fractional extension',
      { ...minimal, ratio: 0.5 },
      'ratio',
      CLOUDEVENT_ISSUE.invalidExtensionValue,
    ],
    [
      'a 64-bit extension',
      { ...minimal, big: 2 ** 31 },
      'big',
      CLOUDEVENT_ISSUE.invalidExtensionValue,
    ],
    ['an object extension', { ...minimal, obj: {} }, 'obj', CLOUDEVENT_ISSUE.invalidExtensionValue],
    [
      'data and data_base64',
      { ...minimal, data: 1, data_base64: 'AA==' },
      'data_base64',
      CLOUDEVENT_ISSUE.dataConflict,
    ],
    [
      'bad base64',
      { ...minimal, data_base64: 'not base64!' },
      'data_base64',
      CLOUDEVENT_ISSUE.invalidBase64,
    ],
    ['a bigint in data', { ...minimal, data: { n: 1n } }, 'data', CLOUDEVENT_ISSUE.dataNotJson],
    ['NaN in data', { ...minimal, data: [Number.NaN] }, 'data', CLOUDEVENT_ISSUE.dataNotJson],
    ['a Date in data', { ...minimal, data: new Date(0) }, 'data', CLOUDEVENT_ISSUE.dataNotJson],
    [
      'an object as XML',
      { ...minimal, datacontenttype: 'text/xml', data: {} },
      'data',
      CLOUDEVENT_ISSUE.dataTypeMismatch,
    ],
    [
      'base64 of broken JSON',
      { ...minimal, datacontenttype: 'application/json', data_base64: 'e30s' },
      'data_base64',
      CLOUDEVENT_ISSUE.invalidJson,
    ],
    [
      'base64 of broken UTF-8',
      { ...minimal, datacontenttype: 'application/json', data_base64: '/w==' },
      'data_base64',
      CLOUDEVENT_ISSUE.invalidUtf8,
    ],
  ];
  it.each(rejected.map(([label, input, path, code]) => ({ label, input, path, code })))(
    'rejects $label with $code',
    ({ input, path, code }) => {
      const issues = issuesOf(() => validateCloudEvent(input));
      expect(issues).toContainEqual(expect.objectContaining({ code }));
      if (path !== '') expect(issues).toContainEqual(expect.objectContaining({ path, code }));
    },
  );

  it('lets undefined object members go as JSON.stringify does, but not undefined array items', () => {
    const event = validateCloudEvent({ ...minimal, data: { kept: 1, dropped: undefined } });
    expect(JSON.parse(JSON.stringify(event.data))).toEqual({ kept: 1 });
    expect(issuesOf(() => validateCloudEvent({ ...minimal, data: [1, undefined] }))).toEqual([
      expect.objectContaining({ path: 'data', code: CLOUDEVENT_ISSUE.dataNotJson }),
    ]);
  });

  it('bounds the number of extensions and the depth of data', () => {
    const many = Object.fromEntries(
      Array.from({ length: CLOUDEVENT_LIMITS.extensions + 1 }, (_, index) => [`e${index}`, 'x']),
    );
    expect(issuesOf(() => validateCloudEvent({ ...minimal, ...many }))).toEqual([
      expect.objectContaining({ code: CLOUDEVENT_ISSUE.tooManyExtensions }),
    ]);
    let deep: unknown = 'bottom';
    for (let level = 0; level <= CLOUDEVENT_LIMITS.dataDepth; level += 1) deep = [deep];
    expect(issuesOf(() => validateCloudEvent({ ...minimal, data: deep }))).toEqual([
      expect.objectContaining({ code: CLOUDEVENT_ISSUE.dataNotJson, path: 'data' }),
    ]);
  });

  it('treats a __proto__ member as a badly named extension, not as a prototype', () => {
    const input = JSON.parse(
      `{"specversion":"1.0","id":"1","source":"/s","type":"t","__proto__":{"x":1}}`,
    );
    expect(issuesOf(() => validateCloudEvent(input))).toEqual([
      expect.objectContaining({
        path: '__proto__',
        code: CLOUDEVENT_ISSUE.invalidExtensionName,
      }),
    ]);
  });
});

describe('createCloudEvent', () => {
  it('builds a validated event from attributes, extensions and data', () => {
    const event = createCloudEvent({
      id: 'evt-1',
      source: 'urn:plafond:test',
      type: 'org.plafond.test.v1',
      partitionkey: 'unit-7',
      extensions: { traceparent: '00-abc-def-01', attempt: 2 },
      data: { ok: true },
    });
    expect(event).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      source: 'urn:plafond:test',
      type: 'org.plafond.test.v1',
      datacontenttype: 'application/json',
      partitionkey: 'unit-7',
      attempt: '2',
      traceparent: '00-abc-def-01',
      data: { ok: true },
    });
  });

  it('refuses extensions that would overwrite attributes', () => {
    const issues = issuesOf(() =>
      createCloudEvent({ ...minimal, extensions: { id: 'other', data: 'x' } }),
    );
    expect(issues.map((issue) => issue.path)).toEqual(['extensions.id', 'extensions.data']);
  });
});

describe('CloudEventAttributesDto', () => {
  it('reports through class-validator with the same codes', () => {
    const dto = Object.assign(new CloudEventAttributesDto(), { ...minimal, source: '' });
    expect(collectIssues(dto, 'body', 'X')).toEqual([
      { path: 'body.source', code: CLOUDEVENT_ISSUE.emptyString, message: 'must not be empty' },
    ]);
    expect(collectIssues(Object.assign(new CloudEventAttributesDto(), minimal), '', 'X')).toEqual(
      [],
    );
  });
});
