// The real ingestion service (its definition, migrations and module) on real PostgreSQL and the
// real broker: allocation's directory events teach it units and use cases; an HTTP usage comes
// out as usage.recorded on the topic, a rejected one as usage.rejected; duplicates across HTTP,
// the raw topic and a restart are recorded once; a poison record does not stop the one behind it.
import {
  ALLOCATION_EVENTS_SOURCE,
  ALLOCATION_EVENT_TYPES_V1,
  TOPICS,
  USAGE_RECORDED_V1_TYPE,
  USAGE_REPORTED_V1_TYPE,
  createCloudEvent,
  decodeKafkaMessage,
  encodeKafkaMessage,
  topicName,
  type CloudEvent,
  type UsageRecordedV1Json,
  type UsageRejectedV1Json,
} from '@plafond/contracts';
import { kafkaBrokers, waitFor } from '@plafond/testing';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { client, type Client } from './allocation-service';
import {
  ingestionTopics,
  prepareIngestionInfrastructure,
  startIngestionInProcess,
  type InProcessIngestion,
  type IngestionInfrastructure,
} from './ingestion-service';

jest.setTimeout(120_000);

const SOURCE = 'urn:acme:llm-gateway';
const UNIT = 'team-search';
const USE_CASE = 'support-chat';
const OCCURRED = new Date(Date.now() - 60_000).toISOString();

const usage = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  unitId: UNIT,
  useCase: USE_CASE,
  model: 'meta-llama-3.1-70b-instruct',
  region: 'fr',
  inputTokens: '1200',
  outputTokens: 350,
  occurredAt: OCCURRED,
  ...overrides,
});

function reported(id: string): CloudEvent {
  const { id: _id, ...data } = usage(id);
  return createCloudEvent({ id, source: SOURCE, type: USAGE_REPORTED_V1_TYPE, data });
}

interface Seen {
  key: string | null;
  event: CloudEvent;
}

let infrastructure: IngestionInfrastructure;
let service: InProcessIngestion;
let admin: Client;
let integrator: Client;
let integratorKey: string;
let kafka: Kafka;
let producer: Producer;
const readers: Consumer[] = [];
const recorded: Seen[] = [];
const rejected: Seen[] = [];

async function read(topic: string, into: Seen[]) {
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100 });
  readers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      into.push({ key: message.key?.toString() ?? null, event: decodeKafkaMessage(message) });
      return Promise.resolve();
    },
  });
}

async function produceRaw(event: CloudEvent, mode: 'structured' | 'binary') {
  const encoded = encodeKafkaMessage(event, { mode });
  await producer.send({
    topic: ingestionTopics(infrastructure).usageRaw,
    messages: [{ key: UNIT, value: encoded.value, headers: encoded.headers }],
    acks: -1,
  });
}

const recordedFor = (id: string) =>
  recorded.filter(
    ({ event }) =>
      event.type === USAGE_RECORDED_V1_TYPE &&
      (event.data as UsageRecordedV1Json).reportedSource === SOURCE &&
      (event.data as UsageRecordedV1Json).reportedId === id,
  );
const rejectedData = () => rejected.map(({ event }) => event.data as UsageRejectedV1Json);

async function postUsage(items: unknown[]) {
  return integrator.post<{ items: Array<{ status: string; error?: { code: string } }> }>(
    '/v1/usage',
    items,
  );
}

beforeAll(async () => {
  infrastructure = await prepareIngestionInfrastructure('ingest-pipeline');
  const prefix = infrastructure.env.KAFKA_TOPIC_PREFIX ?? '';
  kafka = new Kafka({
    clientId: `${prefix}test`.slice(0, 100),
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer();
  await producer.connect();
  // Allocation's directory events, as its relay publishes them: the service's consumer learns them.
  const directory = [
    createCloudEvent({
      id: 'alloc-1',
      source: ALLOCATION_EVENTS_SOURCE,
      type: ALLOCATION_EVENT_TYPES_V1.UnitCreated,
      data: { unitId: UNIT, parentId: null, name: 'Search' },
    }),
    createCloudEvent({
      id: 'alloc-2',
      source: ALLOCATION_EVENTS_SOURCE,
      type: ALLOCATION_EVENT_TYPES_V1.UseCaseRegistered,
      data: { useCase: USE_CASE, className: 'standard', description: 'Support chat' },
    }),
  ];
  await producer.send({
    topic: topicName(TOPICS.allocationEvents, prefix),
    messages: directory.map((event) => {
      const encoded = encodeKafkaMessage(event, { mode: 'binary' });
      return { key: 'directory', value: encoded.value, headers: encoded.headers };
    }),
    acks: -1,
  });
  service = await startIngestionInProcess(infrastructure);
  admin = client(service.baseUrl, infrastructure.adminKey);
  expect(
    (
      await admin.post('/v1/integrators', {
        integratorId: 'llm-gateway',
        name: 'Search LLM gateway',
        source: SOURCE,
        unitIds: [UNIT],
      })
    ).status,
  ).toBe(201);
  const key = await admin.post<{ key: string }>('/v1/integrators/llm-gateway/keys', {});
  integratorKey = key.body.key;
  integrator = client(service.baseUrl, integratorKey);
  await read(ingestionTopics(infrastructure).usageRecorded, recorded);
  await read(ingestionTopics(infrastructure).usageRejected, rejected);
  // Known once the consumer has applied both directory events.
  await waitFor(
    async () => {
      const { rows } = await infrastructure.pool.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM ingestion.known_units WHERE unit_id = $1)
              + (SELECT count(*) FROM ingestion.known_use_cases WHERE use_case = $2) AS n`,
        [UNIT, USE_CASE],
      );
      return Number(rows[0]?.n) === 2;
    },
    { timeoutMs: 60_000, description: 'the unit and use case learned from allocation.events' },
  );
}, 180_000);

afterAll(async () => {
  for (const reader of readers) await reader.disconnect();
  await producer?.disconnect();
  await service?.close();
  await infrastructure?.close();
});

describe('ingestion pipeline (real service, PostgreSQL, Kafka)', () => {
  it('turns an HTTP usage into usage.recorded keyed by unit, and a refused one into usage.rejected', async () => {
    const answer = await postUsage([
      usage('http-1'),
      usage('http-bad', { useCase: 'never-registered' }),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((i) => [i.status, i.error?.code])).toEqual([
      ['accepted', undefined],
      ['rejected', 'INGEST.UNKNOWN_USE_CASE'],
    ]);
    const [record] = await waitFor(
      () => (recordedFor('http-1').length ? recordedFor('http-1') : null),
      {
        timeoutMs: 60_000,
        description: 'usage.recorded for http-1',
      },
    );
    expect(record?.key).toBe(UNIT);
    const data = record?.event.data as UsageRecordedV1Json;
    expect(data).toMatchObject({ unitId: UNIT, useCase: USE_CASE, method: 'modelled' });
    expect(data.factorSetVersion).toEqual(expect.any(String));
    expect(BigInt(data.energyMicroWh)).toBeGreaterThan(0n);
    expect(BigInt(data.carbonMicroGrams)).toBeGreaterThan(0n);

    const [refused] = await waitFor(
      () => {
        const found = rejectedData().filter((d) => d.id === 'http-bad');
        return found.length ? found : null;
      },
      { timeoutMs: 60_000, description: 'usage.rejected for http-bad' },
    );
    expect(refused).toMatchObject({
      channel: 'http',
      reasons: [expect.objectContaining({ code: 'INGEST.UNKNOWN_USE_CASE' })],
    });
    expect(JSON.parse(refused?.payload ?? '{}')).toMatchObject({ useCase: 'never-registered' });
    expect(recordedFor('http-bad')).toHaveLength(0);
  });

  it('records a usage once across HTTP, the raw topic and a restart on the same database', async () => {
    expect((await postUsage([usage('dup-1')])).body.items[0]?.status).toBe('accepted');
    await produceRaw(reported('dup-1'), 'structured');
    await produceRaw(reported('dup-2'), 'binary');
    await waitFor(() => recordedFor('dup-2').length > 0, {
      timeoutMs: 60_000,
      description: 'dup-2 recorded',
    });

    await service.close();
    service = await startIngestionInProcess(infrastructure);
    integrator = client(service.baseUrl, integratorKey);
    admin = client(service.baseUrl, infrastructure.adminKey);
    expect((await postUsage([usage('dup-2')])).body.items[0]?.status).toBe('duplicate');
    await produceRaw(reported('dup-1'), 'binary');
    await produceRaw(reported('dup-marker'), 'structured');
    // The marker is behind the second raw copy on the same partition (same key).
    await waitFor(() => recordedFor('dup-marker').length > 0, {
      timeoutMs: 60_000,
      description: 'the marker recorded after the restart',
    });
    expect(recordedFor('dup-1')).toHaveLength(1);
    expect(recordedFor('dup-2')).toHaveLength(1);
  });

  it('sends a poison record to the rejected topic and records the one behind it', async () => {
    const poison = Buffer.from('{"specversion": "1.0", oops');
    await producer.send({
      topic: ingestionTopics(infrastructure).usageRaw,
      messages: [{ key: UNIT, value: poison }],
      acks: -1,
    });
    await produceRaw(reported('behind-poison'), 'binary');
    await waitFor(() => recordedFor('behind-poison').length > 0, {
      timeoutMs: 60_000,
      description: 'the record behind the poison recorded',
    });
    const [rejectedPoison] = await waitFor(
      () => {
        const found = rejectedData().filter(
          (d) => d.payloadEncoding === 'base64' && Buffer.from(d.payload, 'base64').equals(poison),
        );
        return found.length ? found : null;
      },
      { timeoutMs: 60_000, description: 'the poison on the rejected topic' },
    );
    expect(rejectedPoison).toMatchObject({
      channel: 'kafka',
      reasons: [expect.objectContaining({ code: expect.stringMatching(/^CLOUDEVENT\./) })],
    });
  });
  it('reports the Kafka edge on GET /v1/admin/messaging to admins and auditors only', async () => {
    const answer = await admin.get<{
      relay: { state: string; lag: Record<string, unknown> };
      rawConsumer: { counts: { accepted: number; duplicate: number; rejected: number } };
      allocationConsumer: { state: string };
    }>('/v1/admin/messaging');
    expect(answer.status).toBe(200);
    expect(answer.body.relay.state).toBe('running');
    expect(answer.body.allocationConsumer.state).toBe('running');
    // Since the restart: dup-1 again (duplicate), the marker, the poison and the one behind it.
    expect(answer.body.rawConsumer.counts).toMatchObject({ duplicate: 1, rejected: 1 });
    expect(JSON.stringify(answer.body)).not.toMatch(/"[0-9]+n"/);
    expect((await integrator.get('/v1/admin/messaging')).status).toBe(403);
  });
  it('verifies the ledger on GET /v1/admin/ledger/verify for admins and auditors only', async () => {
    const answer = await admin.get<{ ok: boolean; eventsChecked: number }>(
      '/v1/admin/ledger/verify',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(true);
    expect(answer.body.eventsChecked).toBeGreaterThanOrEqual(1);
    expect((await integrator.get('/v1/admin/ledger/verify')).status).toBe(403);
  });
});
