import fc from 'fast-check';
import { unicodeProblem } from '../syntax/syntax';
import { KNOWN_ATTRIBUTES, type CloudEvent } from './cloud-event';
import { parseCloudEventJson, serializeCloudEventJson } from './json-format';
import { decodeKafkaMessage, encodeKafkaMessage } from './kafka-binding';
import { createCloudEvent, validateCloudEvent } from './validate-cloud-event';

const cloudEventString = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((text) => unicodeProblem(text) === undefined);
const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
const source = fc.oneof(
  fc.webUrl(),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  fc.uuid().map((uuid) => `urn:uuid:${uuid}`),
);
const time = fc
  .date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());
const extensionName = fc
  .stringMatching(/^[a-z0-9]{1,20}$/)
  .filter((name) => !KNOWN_ATTRIBUTES.includes(name) && name !== 'data');
const extensions = fc.dictionary(
  extensionName,
  fc.oneof(cloudEventString, fc.boolean(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  { maxKeys: 4 },
);
/** JSON values as they exist on the wire (JSON has no -0, so JSON.stringify folds it to 0). */
const wireJson = fc
  .jsonValue({ maxDepth: 4 })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);
const payload = fc.oneof(
  fc.constant({}),
  wireJson.map((data) => ({ datacontenttype: 'application/json', data })),
  wireJson.map((data) => ({ datacontenttype: 'application/ld+json; charset=utf-8', data })),
  fc
    .uint8Array({ maxLength: 64 })
    .map((bytes) => ({ datacontenttype: 'application/avro', data: bytes })),
  fc.constant({ datacontenttype: 'text/plain' }),
);

const validEvent: fc.Arbitrary<CloudEvent> = fc
  .record(
    {
      id: cloudEventString,
      source,
      type: cloudEventString,
      subject: cloudEventString,
      time,
      dataschema: fc.constantFrom('urn:plafond:schema:x.v1', 'https://example.com/s.json'),
      partitionkey: cloudEventString,
    },
    { requiredKeys: ['id', 'source', 'type'] },
  )
  .chain((attributes) =>
    fc
      .tuple(extensions, payload)
      .map(([extra, data]) => createCloudEvent({ ...attributes, extensions: extra, ...data })),
  );

describe('CloudEvent encodings (properties)', () => {
  it('validation is idempotent', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(validateCloudEvent(event)).toEqual(event);
      }),
    );
  });

  it.each(['structured', 'binary'] as const)('Kafka %s mode: decode(encode(e)) = e', (mode) => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const message = encodeKafkaMessage(event, { mode });
        expect(message.key).toBe(event.partitionkey ?? null);
        expect(decodeKafkaMessage(message)).toEqual(event);
      }),
    );
  });

  it('JSON format: parse(serialize(e)) = e', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(parseCloudEventJson(serializeCloudEventJson(event))).toEqual(event);
      }),
    );
  });

  it('any JSON value either decodes or fails with CLOUDEVENT.INVALID, never otherwise', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (value, binary) => {
        const headers = binary ? { ce_id: JSON.stringify(value) } : {};
        try {
          decodeKafkaMessage({ value: JSON.stringify(value) ?? null, headers });
        } catch (error) {
          expect(error).toMatchObject({ code: 'CLOUDEVENT.INVALID' });
        }
      }),
    );
  });
});
