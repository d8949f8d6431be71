import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { decodeKafkaMessage } from '@plafond/contracts';
import { kafkaBrokers, uniqueTopicPrefix, waitFor } from '@plafond/testing';
import type { Kafka } from 'kafkajs';
import { cloudEventMessageId } from '../inbox/cloud-event-id';
import { Inbox } from '../inbox/inbox';
import { createInboxKafkaConsumer } from '../inbox/inbox.kafka-consumer';
import { formatCheckpoint } from '../subscriptions/checkpoint';
import { CheckpointRepository } from '../subscriptions/checkpoint.repository';
import {
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from '../subscriptions/testing/ledger-test-kit';
import type { EventToAppend, GlobalCheckpoint, RecordedEvent } from '../types';
import { KafkaRelay } from './kafka-relay';
import {
  appendConcurrently,
  CONCURRENT_STREAMS,
  versionsByKeyAndStream,
} from './testing/concurrent-appends';
import type { RelayChildMessage } from './testing/relay-child';
import {
  createTopic,
  readWholeTopic,
  testKafka,
  topicMessageCount,
  type ReadRecord,
} from './testing/kafka-test-kit';

jest.setTimeout(180_000);

const quietLogger = { log: () => undefined };
const ROOT = path.resolve(__dirname, '../../../..');

/** Streams `<prefix>s<n>` spread over units (partition keys), appended in interleaved rounds. */
async function appendInterleaved(
  kit: LedgerTestKit,
  prefix: string,
  rounds: number,
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let stream = 0; stream < 6; stream++) {
      const events: EventToAppend[] = Array.from({ length: 3 }, (_, index) => ({
        type: 'QuotaDebited',
        data: { amountMicroWh: String(round * 100 + index) },
        metadata: {
          partitionKey: `${prefix}unit-${stream % 3}`,
          occurredAt: `2025-01-0${1 + (round % 9)}T10:00:00.000Z`,
        },
      }));
      await kit.store.appendToStream(`${prefix}s${stream}`, events, {
        expectedVersion: BigInt(round * 3),
      });
    }
  }
  await kit.store.appendToStream(`${prefix}internal`, [
    { type: 'NoteTaken', data: { text: 'kept inside' } },
  ]);
}

async function ledgerEvents(
  kit: LedgerTestKit,
  prefix: string,
  count: number,
): Promise<RecordedEvent[]> {
  return waitFor(async () => {
    const { events } = await kit.store.readAll({ maxCount: 10_000 });
    const matching = events.filter((event) => event.streamId.startsWith(prefix));
    return matching.length === count ? matching : undefined;
  });
}

/** Ledger positions per record key, in the order the topic holds them. */
function positionsByKey(records: readonly ReadRecord[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  const sorted = [...records].sort(
    (a, b) => a.partition - b.partition || Number(a.message.offset) - Number(b.message.offset),
  );
  for (const { message } of sorted) {
    const key = message.key?.toString('utf8') ?? '';
    const event = decodeKafkaMessage(message);
    byKey.set(key, [...(byKey.get(key) ?? []), String(event.ledgerposition)]);
  }
  return byKey;
}

function expectedPositionsByKey(events: readonly RecordedEvent[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const event of events.filter((candidate) => candidate.type === 'QuotaDebited')) {
    const key = String(event.metadata.partitionKey);
    byKey.set(key, [...(byKey.get(key) ?? []), event.globalPosition.toString()]);
  }
  return byKey;
}

/** The child's first IPC message; fails fast if the child exits without sending one. */
function firstMessage(child: ChildProcess): Promise<RelayChildMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as RelayChildMessage));
    child.once('exit', (code, signal) =>
      reject(new Error(`relay child exited (${code ?? signal}) before reporting`)),
    );
  });
}

describe('Kafka relay on a real broker', () => {
  let kit: LedgerTestKit;
  let kafka: Kafka;

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_relay');
    kafka = testKafka('ledger-relay-test');
    await kit.pool.query(
      `CREATE TABLE public.relay_effects (event_id text NOT NULL, unit text NOT NULL)`,
    );
  });
  afterAll(async () => {
    await kit.close();
  });

  async function checkpointOf(name: string): Promise<GlobalCheckpoint> {
    return kit.store.transaction((tx) =>
      new CheckpointRepository(LEDGER_SCHEMA).load(tx.sql, name),
    );
  }

  /** Each stream's versions 1..n under the stream's partition key, as readStream has them. */
  async function streamVersionsByKey(prefix: string): Promise<Map<string, Map<string, bigint[]>>> {
    const byKey = new Map<string, Map<string, bigint[]>>();
    for (let stream = 0; stream < CONCURRENT_STREAMS; stream++) {
      const key = `${prefix}unit-${stream % 3}`;
      const versions = (await kit.store.readStream(`${prefix}s${stream}`)).map(
        (event) => event.streamVersion,
      );
      byKey.set(key, (byKey.get(key) ?? new Map()).set(`${prefix}s${stream}`, versions));
    }
    return byKey;
  }

  it('publishes every routed event as a CloudEvent keyed by partition key, in stream-version order per key', async () => {
    const prefix = 'order-';
    const topic = `${uniqueTopicPrefix('ledger_relay')}events`;
    await createTopic(kafka, topic, 3);
    const appended = await appendConcurrently(kit.store, prefix, 6);
    const events = await ledgerEvents(kit, prefix, appended + 1);
    const relay = new KafkaRelay({
      store: kit.store,
      schema: LEDGER_SCHEMA,
      kafka,
      source: '/plafond/test',
      name: 'relay-order',
      batchSize: 7,
      logger: quietLogger,
      route: (event) =>
        event.streamId.startsWith(prefix) && event.type === 'QuotaDebited'
          ? { topic, type: 'plafond.test.quota-debited.v1' }
          : null,
    });
    try {
      await relay.catchUp();
    } finally {
      await relay.stop();
    }
    expect(await checkpointOf('relay-order')).toEqual(relay.status().lastCheckpoint);

    const records = await readWholeTopic(kafka, topic, `${topic}-reader`);
    expect(records).toHaveLength(appended);
    // Writers ran concurrently, so readAll's order is no reference: each stream's versions must
    // reach Kafka as 1, 2, 3... under the stream's key.
    const expected = await streamVersionsByKey(prefix);
    for (const streams of expected.values()) {
      for (const versions of streams.values()) {
        expect(versions).toEqual(versions.map((_, index) => BigInt(index + 1)));
      }
    }
    expect(versionsByKeyAndStream(records)).toEqual(expected);
    const first = events[0]!;
    const published = records
      .map(({ message }) => decodeKafkaMessage(message))
      .find((event) => event.id === first.eventId);
    expect(published).toMatchObject({
      id: first.eventId,
      source: '/plafond/test',
      type: 'plafond.test.quota-debited.v1',
      subject: first.streamId,
      time: '2025-01-01T10:00:00.000Z',
      partitionkey: first.metadata.partitionKey,
      ledgerposition: first.globalPosition.toString(),
      data: first.data,
    });
  });

  it('re-publishes a batch acknowledged by the broker when killed before its checkpoint, and the inbox applies it once', async () => {
    const prefix = 'crash-';
    const topic = `${uniqueTopicPrefix('ledger_relay_crash')}events`;
    await createTopic(kafka, topic, 3);
    await appendInterleaved(kit, prefix, 3);
    const appended = await ledgerEvents(kit, prefix, 6 * 3 * 3 + 1);
    const events = appended.filter((event) => event.type === 'QuotaDebited');
    const last = appended.at(-1)!;
    const until = {
      RELAY_UNTIL_TRANSACTION: last.transactionId.toString(),
      RELAY_UNTIL_POSITION: last.globalPosition.toString(),
    };
    const routeOnly = { RELAY_TOPIC: topic, RELAY_STREAM_PREFIX: prefix, ...until };

    const crashed = startRelayChild({
      ...routeOnly,
      RELAY_CRASH_AFTER_ACK: '1',
    });
    const exited = once(crashed, 'exit');
    const acked = await firstMessage(crashed);
    crashed.kill('SIGKILL');
    expect((await exited)[1]).toBe('SIGKILL');
    expect(acked.type).toBe('acked');
    const publishedBeforeCrash = await topicMessageCount(kafka, topic);
    expect(publishedBeforeCrash).toBeGreaterThan(0);
    expect(formatCheckpoint(await checkpointOf('relay-crash'))).toBe(acked.from);

    const restarted = startRelayChild({
      ...routeOnly,
      RELAY_CRASH_AFTER_ACK: '0',
    });
    const restartedExit = once(restarted, 'exit');
    const done = await firstMessage(restarted);
    expect(done.type).toBe('done');
    expect((await restartedExit)[0]).toBe(0);

    // At-least-once: the acknowledged batch is on the topic twice, everything else once.
    const records = await readWholeTopic(kafka, topic, `${topic}-reader`);
    expect(records).toHaveLength(events.length + publishedBeforeCrash);
    const ids = records.map(({ message }) => decodeKafkaMessage(message).id);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.eventId)));
    const firstSeen = [
      ...new Map(records.map((record) => [decodeKafkaMessage(record.message).id, record])).values(),
    ];
    expect(firstSeen).toHaveLength(events.length);
    expect(positionsByKey(firstSeen)).toEqual(expectedPositionsByKey(events));

    await expectInboxAppliesOnce(topic, events, records.length);
  });

  function startRelayChild(env: Record<string, string>) {
    return fork(path.join(__dirname, 'testing/relay-child.ts'), [], {
      execArgv: ['--require', path.join(ROOT, 'bench/swc-register.js')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        RELAY_DATABASE_URL: kit.database.url,
        RELAY_LEDGER_SCHEMA: LEDGER_SCHEMA,
        RELAY_KAFKA_BROKERS: kafkaBrokers().join(','),
        RELAY_NAME: 'relay-crash',
        RELAY_BATCH_SIZE: '10',
        ...env,
      },
    });
  }

  /** Two consumer groups read the whole topic (duplicates included): the effect happens once per event. */
  async function expectInboxAppliesOnce(
    topic: string,
    events: readonly RecordedEvent[],
    records: number,
  ) {
    const inbox = new Inbox({ store: kit.store, schema: LEDGER_SCHEMA });
    for (const groupId of [`${topic}-billing`, `${topic}-billing-replayed`]) {
      let deliveries = 0;
      const consumer = createInboxKafkaConsumer({
        kafka,
        groupId,
        consumerName: 'billing',
        topics: [topic],
        fromBeginning: true,
        inbox,
        logger: quietLogger,
        consumerConfig: { maxWaitTimeInMs: 100 },
        messageId: (message) => {
          deliveries += 1;
          return cloudEventMessageId(message);
        },
        // The relay publishes only CloudEvents: an invalid record here is a relay bug.
        onInvalidMessage: (delivery, error) =>
          Promise.reject(
            new Error(`invalid record at ${delivery.message.offset}`, { cause: error }),
          ),
        handle: async ({ message }, tx) => {
          await tx.sql.query(`INSERT INTO public.relay_effects (event_id, unit) VALUES ($1, $2)`, [
            decodeKafkaMessage(message).id,
            message.key?.toString('utf8') ?? '',
          ]);
        },
      });
      await consumer.start();
      try {
        await waitFor(() => deliveries >= records, {
          timeoutMs: 60_000,
          description: `${groupId} to see every record`,
        });
      } finally {
        await consumer.stop();
      }
    }
    const { rows } = await kit.pool.query(
      `SELECT count(*)::int AS effects, count(DISTINCT event_id)::int AS distinct_events FROM public.relay_effects`,
    );
    expect(rows[0]).toEqual({ effects: events.length, distinct_events: events.length });
  }
});
