import { CLOUDEVENTS_JSON_CONTENT_TYPE } from './cloud-event';
import { CLOUDEVENT_ISSUE, CloudEventValidationError } from './cloud-event.errors';
import { parseCloudEventsBatch } from './json-format';
import { decodeKafkaMessage, encodeKafkaMessage } from './kafka-binding';
import { createCloudEvent, validateCloudEvent } from './validate-cloud-event';

const base = { specversion: '1.0', id: '1', source: '/s', type: 't' };
const structured = { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE };

/** One input per code: adding a code that nothing can produce fails this test. */
const probes: (() => unknown)[] = [
  () => validateCloudEvent('event'),
  () => validateCloudEvent({ ...base, id: undefined }),
  () => validateCloudEvent({ ...base, specversion: '2.0' }),
  () => validateCloudEvent({ ...base, type: 3 }),
  () => validateCloudEvent({ ...base, id: '' }),
  () => validateCloudEvent({ ...base, id: '\u0007' }),
  () => validateCloudEvent({ ...base, id: 'i'.repeat(5000) }),
  () => validateCloudEvent({ ...base, source: '::' }),
  () => validateCloudEvent({ ...base, dataschema: 'relative' }),
  () => validateCloudEvent({ ...base, time: 'now' }),
  () => validateCloudEvent({ ...base, datacontenttype: 'text' }),
  () => validateCloudEvent({ ...base, Upper: 'x' }),
  () => validateCloudEvent({ ...base, ext: [] }),
  () =>
    validateCloudEvent({
      ...base,
      ...Object.fromEntries([...Array(40).keys()].map((k) => [`e${k}`, 1])),
    }),
  () => validateCloudEvent({ ...base, data: 1, data_base64: 'AA==' }),
  () => validateCloudEvent({ ...base, data_base64: '***' }),
  () => validateCloudEvent({ ...base, data: () => 1 }),
  () => validateCloudEvent({ ...base, datacontenttype: 'text/plain', data: 5 }),
  () => decodeKafkaMessage({ value: '{', headers: structured }),
  () => decodeKafkaMessage({ value: Buffer.from([0xfe]), headers: structured }),
  () => decodeKafkaMessage({ value: null, headers: { ce_id: ['a', 'b'] } }),
  () => decodeKafkaMessage({ value: null, headers: structured }),
  () =>
    decodeKafkaMessage({ value: '{}', headers: { 'content-type': 'application/cloudevents+xml' } }),
  () => decodeKafkaMessage({ value: Buffer.alloc(2_000_000), headers: structured }),
  () => parseCloudEventsBatch({}),
  () => parseCloudEventsBatch([base, base], { maxEvents: 1 }),
  () =>
    encodeKafkaMessage(
      createCloudEvent({ ...base, datacontenttype: 'application/cloudevents+json', data: 1 }),
      { mode: 'binary' },
    ),
];

it('every CLOUDEVENT issue code is produced by some input', () => {
  const reached = new Set<string>();
  for (const probe of probes) {
    try {
      probe();
    } catch (error) {
      if (!(error instanceof CloudEventValidationError)) throw error;
      for (const issue of error.issues) reached.add(issue.code);
    }
  }
  expect([...reached].sort()).toEqual(Object.values(CLOUDEVENT_ISSUE).sort());
});
