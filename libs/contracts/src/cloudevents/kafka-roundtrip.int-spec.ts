import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import {
  TOPICS,
  createCloudEvent,
  createUsageReportedV1Event,
  decodeKafkaMessage,
  encodeKafkaMessage,
  topicName,
  validateUsageReportedV1,
  type CloudEvent,
  type KafkaContentMode,
} from '@plafond/contracts';
import { kafkaBrokers, uniqueTopicPrefix, waitFor } from '@plafond/testing';

/**
 * The envelope against a real broker: what kafkajs hands a consumer (Buffers, header arrays,
 * partition assignment by key) must decode to exactly the event that was produced.
 */
describe('CloudEvents round-trip through Kafka', () => {
  const kafka = new Kafka({
    clientId: 'contracts-roundtrip',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
  const topic = topicName(TOPICS.usageRaw, uniqueTopicPrefix('contracts'));
  const received: KafkaMessage[] = [];
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: TOPICS.usageRaw.partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    consumer = kafka.consumer({ groupId: `contracts-roundtrip-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push(message);
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  async function roundTrip(event: CloudEvent, mode: KafkaContentMode): Promise<KafkaMessage> {
    const encoded = encodeKafkaMessage(event, { mode });
    await producer?.send({ topic, messages: [encoded] });
    return waitFor(
      () =>
        received.find((message) => {
          try {
            return decodeKafkaMessage(message).id === event.id;
          } catch {
            return false;
          }
        }),
      { timeoutMs: 60_000, description: `${mode} message ${event.id} to be consumed` },
    );
  }

  const usage = validateUsageReportedV1({
    unitId: 'unit-7',
    useCase: 'support-chat',
    model: 'gpt-4o',
    inputTokens: 1200,
    outputTokens: '9007199254740993',
    occurredAt: '2025-01-31T12:00:00Z',
  });

  it.each(['structured', 'binary'] as const)('%s mode', async (mode) => {
    if (!usage.ok) throw new Error('fixture is invalid');
    const event = createUsageReportedV1Event({
      id: `usage-${mode}-${randomUUID()}`,
      source: 'urn:plafond:test:contracts',
      time: '2025-01-31T12:00:01Z',
      data: usage.value,
    });
    const message = await roundTrip(event, mode);
    expect(message.key?.toString('utf8')).toBe('unit-7');
    const decoded = decodeKafkaMessage(message);
    expect(decoded).toEqual(event);
    expect(validateUsageReportedV1(decoded.data)).toEqual(usage);
  });

  it('binary mode carries non-JSON data byte for byte, with extensions in headers', async () => {
    const event = createCloudEvent({
      id: `bytes-${randomUUID()}`,
      source: '/contracts/test',
      type: 'org.plafond.test.bytes.v1',
      datacontenttype: 'application/octet-stream',
      partitionkey: 'unit-9',
      extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      data: Buffer.from([0, 1, 254, 255]),
    });
    const message = await roundTrip(event, 'binary');
    expect(message.headers?.ce_traceparent?.toString()).toBe(event.traceparent);
    expect(decodeKafkaMessage(message)).toEqual(event);
  });
});
