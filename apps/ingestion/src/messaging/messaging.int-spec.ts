// On the real broker and PostgreSQL, the whole Kafka edge of ingestion in a Nest context: usage
// produced on the raw topic (structured and binary CloudEvents) comes out as usage.recorded with
// its factor-set version and method; the same CloudEvent twice is recorded once; a poison record
// reaches the rejected topic with its bytes and does not stop the record behind it; an unknown
// source is rejected with a code; allocation's unit_created makes a unit known; a chunk of
// records that rolls back and runs again one by one counts each record once in the status.
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ALLOCATION_EVENTS_SOURCE,
  ALLOCATION_EVENT_TYPES_V1,
  TOPICS,
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  USAGE_REJECTED_V1_TYPE,
  USAGE_REPORTED_V1_TYPE,
  createCloudEvent,
  decodeKafkaMessage,
  encodeKafkaMessage,
  topicName,
  type CloudEvent,
  type KafkaContentMode,
  type UsageAdjustedV1Json,
  type UsageRecordedV1Json,
  type UsageRejectedV1Json,
} from '@plafond/contracts';
import {
  Inbox,
  LedgerInvalidEventError,
  LedgerModule,
  PostgresEventStore,
  ledgerSchemaStatements,
  type InboxKafkaMessage,
} from '@plafond/ledger';
import { JsonLogger, PlatformModule, loadConfig, provisionTopics } from '@plafond/platform';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type TestDatabase,
} from '@plafond/testing';
import { Pool } from 'pg';
import { Kafka, logLevel, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import {
  FactorSetService,
  IngestionApplicationModule,
  UsagePipeline,
  PostgresUnitDirectory,
  ingestionTableStatements,
  type IngestionCaller,
} from '../application';
import { IngestionConfig } from '../config';
import { DEFAULT_FACTOR_SET_JSON } from '../domain/conversion';
import { DedupPruner } from './dedup-pruner';
import { IngestionRelay } from './ingestion-relay';
import { IngestionMessagingModule } from './messaging.module';
import { IngestionMessagingStatus } from './messaging.status';
import { RAW_USAGE_ERROR, RawUsageConsumer, rawRecordId } from './usage-raw.consumer';

jest.setTimeout(120_000);

const SCHEMA = 'ingestion';
const SOURCE = 'urn:plafond:gateway:eu-1';
const UNIT = 'team-search';
const USE_CASE = 'support-chat';

/** Its integrator look-up fails once (the integrators' database busy), then answers. */
const FLAKY_SOURCE = 'urn:plafond:gateway:flaky';

/** Test-local integrators: one known source, and one whose first look-up fails. */
@Injectable()
class TestIntegrators {
  private flakyFailed = false;

  callerForSource(source: string): Promise<IngestionCaller | null> {
    if (source === FLAKY_SOURCE && !this.flakyFailed) {
      this.flakyFailed = true;
      return Promise.reject(new Error('integrator look-up failed (transient)'));
    }
    return Promise.resolve(
      source === SOURCE || source === FLAKY_SOURCE
        ? { integratorId: 'int-gateway', allowedSource: source, allowedUnits: null }
        : null,
    );
  }
}
@Module({ providers: [TestIntegrators], exports: [TestIntegrators] })
class TestIntegratorsModule {}

interface Topics {
  usageRaw: string;
  usageRecorded: string;
  usageRejected: string;
  allocationEvents: string;
}

let database: TestDatabase;
let moduleRef: TestingModule;
let kafka: Kafka;
let producer: Producer;
let topics: Topics;
const readers: Consumer[] = [];
const onTopic: Record<'recorded' | 'rejected', { key: string | null; event: CloudEvent }[]> = {
  recorded: [],
  rejected: [],
};

const occurredAt = () => new Date(Date.now() - 60_000).toISOString();

function reported(id: string, data: Record<string, unknown> = {}, source = SOURCE): CloudEvent {
  return createCloudEvent({
    id,
    source,
    type: USAGE_REPORTED_V1_TYPE,
    data: {
      unitId: UNIT,
      useCase: USE_CASE,
      model: 'meta-llama-3.1-70b-instruct',
      region: 'fr',
      inputTokens: 1200,
      outputTokens: '350',
      occurredAt: occurredAt(),
      ...data,
    },
  });
}

async function produce(
  topic: string,
  ...messages: {
    key?: string;
    value: Buffer | string | null;
    headers?: Record<string, string | Buffer>;
  }[]
) {
  await producer.send({ topic, messages, acks: -1 });
}

async function produceEvent(event: CloudEvent, mode: KafkaContentMode, key = UNIT) {
  const encoded = encodeKafkaMessage(event, { mode });
  await produce(topics.usageRaw, {
    key,
    value: encoded.value,
    headers: encoded.headers,
  });
}

async function read(topic: string, into: { key: string | null; event: CloudEvent }[]) {
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100 });
  readers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }: { message: KafkaMessage }) => {
      into.push({ key: message.key?.toString() ?? null, event: decodeKafkaMessage(message) });
      return Promise.resolve();
    },
  });
}

const recordedFor = (id: string) =>
  onTopic.recorded.filter(
    ({ event }) =>
      event.type === USAGE_RECORDED_V1_TYPE &&
      (event.data as UsageRecordedV1Json).reportedId === id,
  );
const rejectedWith = (predicate: (data: UsageRejectedV1Json) => boolean) =>
  onTopic.rejected
    .map(({ event }) => event.data as UsageRejectedV1Json)
    .filter((data) => predicate(data));

async function createSchema(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    for (const statement of [
      ...ledgerSchemaStatements(SCHEMA),
      ...ingestionTableStatements(SCHEMA),
    ])
      await pool.query(statement);
  } finally {
    await pool.end();
  }
}

/** The Kafka edge and the application in a Nest context, with the service's wiring. */
async function startIngestion(url: string, brokers: string[], prefix: string) {
  const config = loadConfig(IngestionConfig, {
    DATABASE_URL: url,
    DATABASE_SCHEMA: SCHEMA,
    DATABASE_POOL_MAX: '8',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: `${prefix}ingestion`.slice(0, 100),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'info',
  });
  const logger = new JsonLogger({ service: 'ingestion', level: 'warn', write: () => undefined });
  const ref = await Test.createTestingModule({
    imports: [
      PlatformModule.forRoot({
        service: 'ingestion',
        config,
        configClass: IngestionConfig,
        logger,
        migrations: [],
        databaseConnectAttempts: 1,
      }),
      LedgerModule.forRoot({ schema: SCHEMA, global: true }),
      IngestionMessagingModule.forRoot({
        imports: [IngestionApplicationModule.forRoot(), TestIntegratorsModule],
        integratorLookup: TestIntegrators,
        relay: { idlePollMs: 50 },
        consumerConfig: { maxWaitTimeInMs: 100 },
        startRetry: { initialBackoffMs: 100, maxBackoffMs: 1_000 },
      }),
    ],
  })
    .setLogger(logger)
    .compile();
  await ref.init();
  const directory = ref.get(PostgresUnitDirectory, { strict: false });
  const store = ref.get(PostgresEventStore, { strict: false });
  await store.transaction(async (tx) => {
    await directory.rememberUnit(tx.sql, UNIT, new Date());
    await directory.rememberUseCase(tx.sql, USE_CASE, new Date());
  });
  return ref;
}

const ALL_TOPICS = [
  TOPICS.usageRaw,
  TOPICS.usageRecorded,
  TOPICS.usageRejected,
  TOPICS.allocationEvents,
];

beforeAll(async () => {
  database = await createTestDatabase('ingest-messaging');
  await createSchema(database.url);
  const prefix = uniqueTopicPrefix('ingest-messaging');
  const brokers = kafkaBrokers();
  await provisionTopics(brokers, ALL_TOPICS, { prefix });
  topics = {
    usageRaw: topicName(TOPICS.usageRaw, prefix),
    usageRecorded: topicName(TOPICS.usageRecorded, prefix),
    usageRejected: topicName(TOPICS.usageRejected, prefix),
    allocationEvents: topicName(TOPICS.allocationEvents, prefix),
  };
  moduleRef = await startIngestion(database.url, brokers, prefix);

  kafka = new Kafka({
    clientId: `${prefix}test`.slice(0, 100),
    brokers,
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer();
  await producer.connect();
  await read(topics.usageRecorded, onTopic.recorded);
  await read(topics.usageRejected, onTopic.rejected);
});

afterAll(async () => {
  for (const reader of readers) await reader.disconnect();
  await producer?.disconnect();
  await moduleRef?.close();
  await database?.drop();
});

describe('ingestion over Kafka', () => {
  it.each<KafkaContentMode>(['structured', 'binary'])(
    'records a %s CloudEvent of the raw topic as usage.recorded with its factor set and method',
    async (mode) => {
      const id = `mode-${mode}`;
      await produceEvent(reported(id), mode);
      const [record] = await waitFor(() => (recordedFor(id).length > 0 ? recordedFor(id) : null), {
        timeoutMs: 60_000,
        description: `usage.recorded for ${id}`,
      });
      expect(record?.key).toBe(UNIT);
      const data = record?.event.data as UsageRecordedV1Json;
      expect(data).toMatchObject({
        unitId: UNIT,
        useCase: USE_CASE,
        reportedSource: SOURCE,
        reportedId: id,
        method: 'modelled',
      });
      expect(data.factorSetVersion).toEqual(expect.any(String));
      expect(BigInt(data.energyMicroWh)).toBeGreaterThan(0n);
    },
  );

  it('records the same CloudEvent produced twice once', async () => {
    const event = reported('twice-1');
    await produceEvent(event, 'structured');
    await produceEvent(event, 'binary');
    await produceEvent(reported('twice-marker'), 'binary');
    // The marker comes after both copies on the same partition (same key).
    await waitFor(() => recordedFor('twice-marker').length > 0, {
      timeoutMs: 60_000,
      description: 'the marker recorded',
    });
    const status = await moduleRef.get(IngestionMessagingStatus, { strict: false }).report();
    expect(status.rawConsumer.counts.duplicate).toBeGreaterThanOrEqual(1);
    expect(recordedFor('twice-1')).toHaveLength(1);
  });

  it('sends a poison record to the rejected topic with its bytes, and records the one behind it', async () => {
    const poison = Buffer.from([0x7b, 0x6f, 0x6f, 0x70, 0x73, 0xff, 0x00]);
    await produce(topics.usageRaw, { key: UNIT, value: poison });
    await produceEvent(reported('after-poison'), 'structured');
    await waitFor(() => recordedFor('after-poison').length > 0, {
      timeoutMs: 60_000,
      description: 'the record behind the poison recorded',
    });
    const [rejected] = await waitFor(
      () => {
        const found = rejectedWith((data) => data.payloadEncoding === 'base64');
        return found.length > 0 ? found : null;
      },
      { timeoutMs: 60_000, description: 'the poison on the rejected topic' },
    );
    expect(Buffer.from(rejected?.payload ?? '', 'base64')).toEqual(poison);
    expect(rejected).toMatchObject({
      channel: 'kafka',
      reasons: [expect.objectContaining({ code: expect.stringMatching(/^CLOUDEVENT\./) })],
    });
    expect(onTopic.rejected.every(({ event }) => event.type === USAGE_REJECTED_V1_TYPE)).toBe(true);
  });

  it('rejects an event from a source no integrator has, with INGEST.SOURCE_UNKNOWN', async () => {
    await produceEvent(reported('stranger-1', {}, 'urn:acme:unknown'), 'binary');
    const [rejected] = await waitFor(
      () => {
        const found = rejectedWith((data) => data.id === 'stranger-1');
        return found.length > 0 ? found : null;
      },
      { timeoutMs: 60_000, description: 'the unknown source rejected' },
    );
    expect(rejected).toMatchObject({
      source: 'urn:acme:unknown',
      reasons: [{ code: RAW_USAGE_ERROR.sourceUnknown, path: 'source' }],
    });
    expect(recordedFor('stranger-1')).toHaveLength(0);
  });

  it('learns a unit from allocation unit_created, then accepts its usage', async () => {
    const directory = moduleRef.get(PostgresUnitDirectory, { strict: false });
    expect((await directory.lookup('team-new', USE_CASE)).unitKnown).toBe(false);
    const created = encodeKafkaMessage(
      createCloudEvent({
        id: 'alloc-evt-1',
        source: ALLOCATION_EVENTS_SOURCE,
        type: ALLOCATION_EVENT_TYPES_V1.UnitCreated,
        data: { unitId: 'team-new', parentId: null, name: 'New team' },
      }),
      { mode: 'binary' },
    );
    await produce(topics.allocationEvents, {
      key: 'team-new',
      value: created.value,
      headers: created.headers,
    });
    await waitFor(async () => (await directory.lookup('team-new', USE_CASE)).unitKnown, {
      timeoutMs: 60_000,
      description: 'team-new known',
    });
    await produceEvent(reported('new-unit-1', { unitId: 'team-new' }), 'binary', 'team-new');
    await waitFor(() => recordedFor('new-unit-1').length > 0, {
      timeoutMs: 60_000,
      description: 'usage of team-new recorded',
    });
  });

  it('counts each record once when its chunk fails and is applied again one by one', async () => {
    const status = moduleRef.get(IngestionMessagingStatus, { strict: false });
    const before = (await status.report()).rawConsumer.counts;
    // One send: one fetched batch, so one inbox transaction. The flaky record's look-up fails
    // after the three before it were recorded (the pipeline commits on its own): the chunk rolls
    // back, and its records are applied one by one; the three come back duplicates of themselves.
    const events = [
      reported('chunk-count-1'),
      reported('chunk-count-2'),
      reported('chunk-count-3'),
      reported('chunk-count-flaky', {}, FLAKY_SOURCE),
      reported('chunk-count-4'),
    ];
    await produce(
      topics.usageRaw,
      ...events.map((event) => {
        const encoded = encodeKafkaMessage(event, { mode: 'binary' });
        return { key: UNIT, value: encoded.value, headers: encoded.headers };
      }),
    );
    const after = await waitFor(
      async () => {
        const counts = (await status.report()).rawConsumer.counts;
        return counts.accepted - before.accepted >= events.length ? counts : undefined;
      },
      { timeoutMs: 60_000, description: 'the five records counted' },
    );
    for (const event of events) expect(recordedFor(event.id).length).toBeLessThanOrEqual(1);
    expect({
      accepted: after.accepted - before.accepted,
      duplicate: after.duplicate - before.duplicate,
      rejected: after.rejected - before.rejected,
    }).toEqual({ accepted: events.length, duplicate: 0, rejected: 0 });
  });

  it('prunes dedup on demand and reports the run, keeping rows inside the window (conflict still caught)', async () => {
    const pruner = moduleRef.get(DedupPruner, { strict: false });
    expect(pruner.status()).toMatchObject({ running: true, lastRun: undefined });
    expect(await pruner.runOnce()).toBe(0);
    const report = await moduleRef.get(IngestionMessagingStatus, { strict: false }).report();
    expect(report.dedupPruner.lastRun).toMatchObject({ deleted: 0 });
    expect(report.relay.state).toBe('running');
    expect(report.rawConsumer.counts.accepted).toBeGreaterThanOrEqual(4);
    // The dedup row of a usage recorded above is kept: the same id with another payload (a later
    // occurredAt) is a conflict, published on the rejected topic, and nothing more is recorded.
    await produceEvent(reported('mode-binary', { occurredAt: occurredAt() }), 'binary');
    await waitFor(
      () =>
        rejectedWith(
          (data) =>
            data.id === 'mode-binary' && data.reasons[0]?.code === 'INGEST.DUPLICATE_CONFLICT',
        ).length > 0 || undefined,
      { timeoutMs: 60_000, description: 'the conflicting usage rejected' },
    );
    expect(recordedFor('mode-binary')).toHaveLength(1);
  });

  // Last: the correction re-rates every usage recorded above.
  it('publishes re-rating adjustments on the usage.recorded topic, keyed by unit, and keeps factor sets inside', async () => {
    const day = 24 * 60 * 60 * 1000;
    const publication = await moduleRef.get(FactorSetService, { strict: false }).publish(
      { actor: 'admin:test', correlationId: 'corr-messaging' },
      {
        ...DEFAULT_FACTOR_SET_JSON,
        version: 'messaging-fix-1',
        effectiveFrom: new Date(Date.now() - day).toISOString(),
        effectiveTo: new Date(Date.now() + day).toISOString(),
        description: 'PUE correction for the messaging test',
        pue: { value: '1.9', source: 'test' },
      },
    );
    expect(publication.adjusted).toBeGreaterThan(0);
    const adjusted = () =>
      onTopic.recorded.filter(({ event }) => event.type === USAGE_ADJUSTED_V1_TYPE);
    await waitFor(() => adjusted().length >= publication.adjusted, {
      timeoutMs: 60_000,
      description: `${publication.adjusted} adjustments on the topic`,
    });
    const first = adjusted().find(
      ({ event }) => (event.data as UsageAdjustedV1Json).reportedId === 'mode-binary',
    );
    expect(first?.key).toBe(UNIT);
    expect(first?.event.data).toMatchObject({
      reportedSource: SOURCE,
      unitId: UNIT,
      toFactorSetVersion: 'messaging-fix-1',
      energyDeltaMicroWh: expect.stringMatching(/^-?[0-9]+$/),
    });
    expect(BigInt((first?.event.data as UsageAdjustedV1Json).energyDeltaMicroWh)).toBeGreaterThan(
      0n,
    );
    expect(new Set(onTopic.recorded.map(({ event }) => event.type))).toEqual(
      new Set([USAGE_RECORDED_V1_TYPE, USAGE_ADJUSTED_V1_TYPE]),
    );
  });
});

describe('the raw consumer when a record is re-run or cannot be stored (PostgreSQL)', () => {
  let offset = 900_000;
  /** A record as kafkajs delivers it, at an offset no produced record reaches. */
  const delivery = (value: string): InboxKafkaMessage => {
    offset += 1;
    return {
      topic: topics.usageRaw,
      partition: 0,
      message: {
        key: Buffer.from(UNIT),
        value: Buffer.from(value),
        headers: {},
        offset: String(offset),
        timestamp: '1764400000000',
        attributes: 0,
      },
    };
  };
  const sql = <Row>(text: string, params: unknown[] = []): Promise<Row[]> =>
    moduleRef
      .get(PostgresEventStore, { strict: false })
      .transaction((tx) => tx.sql.query<Row>(text, params));
  const rejectedCount = async (marker: string): Promise<number> => {
    const rows = await sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM "${SCHEMA}".events
        WHERE event_type = 'UsageRejected' AND data->>'payload' LIKE $1`,
      [`%${marker}%`],
    );
    return rows[0]?.count ?? 0;
  };
  /** What the inbox consumer does with one delivery: the inbox row, then the pipeline. */
  const consume = async (consumer: RawUsageConsumer, record: InboxKafkaMessage) => {
    const store = moduleRef.get(PostgresEventStore, { strict: false });
    const inbox = new Inbox({ store, schema: SCHEMA });
    return inbox.consumeOnce(consumer.groupId, rawRecordId(record.message), () =>
      consumer.ingest(record),
    );
  };

  it('writes a rejection once when a crash re-runs its record (inbox row lost)', async () => {
    const consumer = moduleRef.get(RawUsageConsumer, { strict: false });
    const value = '{"not a cloudevent": "re-run-1"';
    // An unreadable record's payload is stored as base64.
    const marker = Buffer.from(value).toString('base64');
    const record = delivery(value);
    expect(await consume(consumer, record)).toMatchObject({ applied: true });
    expect(await rejectedCount(marker)).toBe(1);
    // The crash: the pipeline's transaction committed, the inbox's did not.
    await sql(`DELETE FROM "${SCHEMA}".inbox WHERE consumer = $1 AND message_id = $2`, [
      consumer.groupId,
      rawRecordId(record.message),
    ]);
    expect(await consume(consumer, record)).toMatchObject({ applied: true });
    expect(await rejectedCount(marker)).toBe(1);
    // Another record with the same bytes (another offset) is another rejection.
    expect(await consume(consumer, delivery(value))).toMatchObject({
      applied: true,
    });
    expect(await rejectedCount(marker)).toBe(2);
  });

  it('rejects a record the ledger cannot store (INGEST.UNSTORABLE) instead of retrying it', async () => {
    const consumer = moduleRef.get(RawUsageConsumer, { strict: false });
    const record = delivery('{"unstorable": "unstorable-1"}');
    const failure = new LedgerInvalidEventError('data contains a NUL character');
    await consumer.deadLetter(record, failure);
    await consumer.deadLetter(record, failure);
    const base64 = Buffer.from('{"unstorable": "unstorable-1"}').toString('base64');
    expect(await rejectedCount(base64)).toBe(1);
    await waitFor(
      () => rejectedWith((data) => data.reasons[0]?.code === RAW_USAGE_ERROR.unstorable).length,
      { timeoutMs: 60_000, description: 'the unstorable record on the rejected topic' },
    );
  });

  it('prunes the raw consumer’s inbox rows older than the dedup window, keeping recent ones', async () => {
    const consumer = moduleRef.get(RawUsageConsumer, { strict: false });
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    await sql(
      `INSERT INTO "${SCHEMA}".inbox (consumer, message_id, processed_at)
       VALUES ($1, 'old-1', $2), ($1, 'old-2', $2), ($1, 'recent-1', now()),
              ('another-consumer', 'old-3', $2)`,
      [consumer.groupId, old],
    );
    const pruner = moduleRef.get(DedupPruner, { strict: false });
    await pruner.runOnce();
    expect(pruner.status().lastRun).toMatchObject({ inboxDeleted: 2 });
    const rows = await sql<{ consumer: string; message_id: string }>(
      `SELECT consumer, message_id FROM "${SCHEMA}".inbox
        WHERE message_id IN ('old-1', 'old-2', 'recent-1', 'old-3') ORDER BY message_id`,
    );
    expect(rows).toEqual([
      { consumer: 'another-consumer', message_id: 'old-3' },
      { consumer: consumer.groupId, message_id: 'recent-1' },
    ]);
  });
});

describe('ingestion while Kafka is down', () => {
  it('accepts usage into PostgreSQL, and the relay publishes it once the broker is back', async () => {
    const db = await createTestDatabase('ingest-kafka-down');
    const prefix = uniqueTopicPrefix('ingest-kafka-down');
    let down: TestingModule | undefined;
    let up: TestingModule | undefined;
    const seen: { key: string | null; event: CloudEvent }[] = [];
    try {
      await createSchema(db.url);
      // Nothing listens on this port: the relay and the consumers keep retrying their start.
      down = await startIngestion(db.url, [`127.0.0.1:${await freePort()}`], prefix);
      const [result] = await down
        .get(UsagePipeline, { strict: false })
        .ingest(
          [{ format: 'cloudevent', event: reported('while-down-1') }],
          { integratorId: 'int-gateway', allowedSource: SOURCE, allowedUnits: null },
          'http',
        );
      expect(result?.status).toBe('accepted');
      expect(down.get(IngestionRelay, { strict: false }).status().state).not.toBe('running');
      await down.close();
      down = undefined;

      await provisionTopics(kafkaBrokers(), ALL_TOPICS, { prefix });
      up = await startIngestion(db.url, kafkaBrokers(), prefix);
      const reader = kafka.consumer({ groupId: `${prefix}reader`, maxWaitTimeInMs: 100 });
      readers.push(reader);
      await reader.connect();
      await reader.subscribe({
        topics: [topicName(TOPICS.usageRecorded, prefix)],
        fromBeginning: true,
      });
      await reader.run({
        eachMessage: ({ message }: { message: KafkaMessage }) => {
          seen.push({ key: message.key?.toString() ?? null, event: decodeKafkaMessage(message) });
          return Promise.resolve();
        },
      });
      await waitFor(
        () =>
          seen.some(
            ({ event }) => (event.data as UsageRecordedV1Json).reportedId === 'while-down-1',
          ),
        { timeoutMs: 60_000, description: 'the usage accepted while Kafka was down, published' },
      );
    } finally {
      await down?.close();
      await up?.close();
      await db.drop();
    }
  });
});
