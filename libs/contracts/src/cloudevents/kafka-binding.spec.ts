import { CLOUDEVENTS_JSON_CONTENT_TYPE } from './cloud-event';
import { CLOUDEVENT_ISSUE, CloudEventValidationError } from './cloud-event.errors';
import { decodeKafkaMessage, encodeKafkaMessage, type KafkaMessageLike } from './kafka-binding';
import { createCloudEvent } from './validate-cloud-event';

const event = createCloudEvent({
  id: 'evt-42',
  source: 'urn:plafond:gateway:eu-1',
  type: 'org.plafond.usage.reported.v1',
  subject: 'unit-7',
  time: '2025-01-31T12:00:00.123Z',
  dataschema: 'urn:plafond:schema:usage.reported.v1',
  partitionkey: 'unit-7',
  extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  data: { unitId: 'unit-7', inputTokens: '1200' },
});

function issuesOf(message: KafkaMessageLike) {
  try {
    decodeKafkaMessage(message);
  } catch (error) {
    if (error instanceof CloudEventValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a CloudEventValidationError');
}

describe('encodeKafkaMessage', () => {
  it('structured: the JSON format in the value, keyed by partitionkey', () => {
    const message = encodeKafkaMessage(event, { mode: 'structured' });
    expect(message.key).toBe('unit-7');
    expect(message.headers).toEqual({ 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE });
    expect(JSON.parse(message.value?.toString('utf8') ?? '')).toEqual(event);
  });

  it('binary: ce_ headers, content-type = datacontenttype, value = data', () => {
    const message = encodeKafkaMessage(event, { mode: 'binary' });
    expect(message.key).toBe('unit-7');
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'evt-42',
      ce_source: 'urn:plafond:gateway:eu-1',
      ce_type: 'org.plafond.usage.reported.v1',
      ce_subject: 'unit-7',
      ce_time: '2025-01-31T12:00:00.123Z',
      ce_dataschema: 'urn:plafond:schema:usage.reported.v1',
      ce_partitionkey: 'unit-7',
      ce_traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'content-type': 'application/json',
    });
    expect(JSON.parse(message.value?.toString('utf8') ?? '')).toEqual(event.data);
  });

  it('binary without data has no value (a tombstone on compacted topics); no key without partitionkey', () => {
    const bare = createCloudEvent({ id: '1', source: '/s', type: 't' });
    expect(encodeKafkaMessage(bare, { mode: 'binary' })).toEqual({
      key: null,
      value: null,
      headers: { ce_specversion: '1.0', ce_id: '1', ce_source: '/s', ce_type: 't' },
    });
  });

  it('refuses binary mode for data that is itself a CloudEvent', () => {
    const nested = createCloudEvent({
      id: '1',
      source: '/s',
      type: 't',
      datacontenttype: 'application/cloudevents+json',
      data: {},
    });
    expect(() => encodeKafkaMessage(nested, { mode: 'binary' })).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ code: CLOUDEVENT_ISSUE.unsupportedFormat })],
      }),
    );
    expect(decodeKafkaMessage(encodeKafkaMessage(nested, { mode: 'structured' }))).toEqual(nested);
  });

  it('never writes an invalid event', () => {
    const broken = { ...event, time: 'noon' };
    expect(() => encodeKafkaMessage(broken, { mode: 'structured' })).toThrow(
      CloudEventValidationError,
    );
  });
});

describe('decodeKafkaMessage', () => {
  it.each(['structured', 'binary'] as const)('round-trips %s mode', (mode) => {
    expect(decodeKafkaMessage(encodeKafkaMessage(event, { mode }))).toEqual(event);
  });

  it('reads headers as kafkajs gives them: Buffers, any case, repeated with one value', () => {
    const { headers, value, key } = encodeKafkaMessage(event, { mode: 'binary' });
    const asKafkajs = Object.fromEntries(
      Object.entries(headers).map(([name, text]) => [
        name.toUpperCase(),
        [Buffer.from(text), text],
      ]),
    );
    expect(decodeKafkaMessage({ key: Buffer.from(key ?? ''), value, headers: asKafkajs })).toEqual(
      event,
    );
  });

  it('reads a body without content-type or ce_ headers as structured JSON', () => {
    const value = JSON.stringify(event);
    expect(decodeKafkaMessage({ value, headers: { traceparent: 'x' } })).toEqual(event);
  });

  it('keeps binary data that is not JSON as bytes', () => {
    const bytes = Buffer.from([0, 159, 146, 150]);
    const decoded = decodeKafkaMessage({
      value: bytes,
      headers: {
        ce_specversion: '1.0',
        ce_id: '1',
        ce_source: '/s',
        ce_type: 't',
        'content-type': 'application/avro',
      },
    });
    expect(decoded.data).toEqual(bytes);
    expect(decoded.datacontenttype).toBe('application/avro');
  });

  const binaryHeaders = { ce_specversion: '1.0', ce_id: '1', ce_source: '/s', ce_type: 't' };
  const cases: [string, KafkaMessageLike, string, string][] = [
    [
      'a missing ce_id',
      { value: null, headers: { ...binaryHeaders, ce_id: undefined } },
      'headers.ce_id',
      CLOUDEVENT_ISSUE.missingAttribute,
    ],
    [
      'a bad ce_time',
      { value: null, headers: { ...binaryHeaders, ce_time: 'noon' } },
      'headers.ce_time',
      CLOUDEVENT_ISSUE.invalidTimestamp,
    ],
    [
      'a bad content-type',
      { value: Buffer.from('1'), headers: { ...binaryHeaders, 'content-type': 'json' } },
      'headers.content-type',
      CLOUDEVENT_ISSUE.invalidMediaType,
    ],
    [
      'a badly named ce_ header',
      { value: null, headers: { ...binaryHeaders, 'ce_my-ext': 'x' } },
      'headers.ce_my-ext',
      CLOUDEVENT_ISSUE.invalidExtensionName,
    ],
    [
      'ce_datacontenttype',
      { value: null, headers: { ...binaryHeaders, ce_datacontenttype: 'a/b' } },
      'headers.ce_datacontenttype',
      CLOUDEVENT_ISSUE.invalidHeader,
    ],
    [
      'disagreeing repeats',
      { value: null, headers: { ...binaryHeaders, ce_id: ['1', '2'] } },
      'headers.ce_id',
      CLOUDEVENT_ISSUE.invalidHeader,
    ],
    [
      'a header in two cases',
      { value: null, headers: { ...binaryHeaders, CE_ID: '2' } },
      'headers.CE_ID',
      CLOUDEVENT_ISSUE.invalidHeader,
    ],
    [
      'a non-UTF-8 header',
      { value: null, headers: { ...binaryHeaders, ce_subject: Buffer.from([0xc3, 0x28]) } },
      'headers.ce_subject',
      CLOUDEVENT_ISSUE.invalidUtf8,
    ],
    [
      'binary data that is not JSON',
      {
        value: Buffer.from('{'),
        headers: { ...binaryHeaders, 'content-type': 'application/json' },
      },
      'value',
      CLOUDEVENT_ISSUE.invalidJson,
    ],
    [
      'binary data that is not UTF-8',
      {
        value: Buffer.from([0xff]),
        headers: { ...binaryHeaders, 'content-type': 'application/json' },
      },
      'value',
      CLOUDEVENT_ISSUE.invalidUtf8,
    ],
    [
      'a structured body that is not UTF-8',
      { value: Buffer.from([0xff]), headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE } },
      'value',
      CLOUDEVENT_ISSUE.invalidUtf8,
    ],
    [
      'a structured body that is not JSON',
      { value: 'nope', headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE } },
      'value',
      CLOUDEVENT_ISSUE.invalidJson,
    ],
    [
      'a structured body that is an array',
      { value: '[]', headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE } },
      'value',
      CLOUDEVENT_ISSUE.notAnObject,
    ],
    [
      'a structured body without id',
      {
        value: '{"specversion":"1.0","source":"/s","type":"t"}',
        headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE },
      },
      'value.id',
      CLOUDEVENT_ISSUE.missingAttribute,
    ],
    [
      'an empty structured message',
      { value: null, headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE } },
      'value',
      CLOUDEVENT_ISSUE.emptyMessage,
    ],
    ['a message with nothing at all', { value: null }, 'value', CLOUDEVENT_ISSUE.emptyMessage],
    [
      'the Avro event format',
      { value: 'x', headers: { 'content-type': 'application/cloudevents+avro' } },
      'headers.content-type',
      CLOUDEVENT_ISSUE.unsupportedFormat,
    ],
    [
      'a batch on Kafka',
      { value: '[]', headers: { 'content-type': 'application/cloudevents-batch+json' } },
      'headers.content-type',
      CLOUDEVENT_ISSUE.unsupportedFormat,
    ],
    [
      'an oversized value',
      { value: Buffer.alloc(1_048_577), headers: binaryHeaders },
      'value',
      CLOUDEVENT_ISSUE.tooLarge,
    ],
  ];
  it.each(cases.map(([label, message, path, code]) => ({ label, message, path, code })))(
    'rejects $label with $code at $path',
    ({ message, path, code }) => {
      expect(issuesOf(message)).toContainEqual(expect.objectContaining({ path, code }));
    },
  );
});
