import { decodeKafkaMessage } from '@plafond/contracts';
import { createTestDatabase, waitFor, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import type { InboxKafkaMessage } from '../inbox/inbox.kafka-consumer';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { pgPoolSource } from '../postgres/sql-executor';
import type { RelayRouter } from '../relay/ledger-cloud-event';
import { buildRelayBatch } from '../relay/relay-batch';
import { ledgerMigrationStatements } from '../schema/ledger-schema';
import { checkpointOf } from '../subscriptions/checkpoint';
import { CheckpointRepository } from '../subscriptions/checkpoint.repository';
import { gate, quietLogger } from '../subscriptions/testing/async-helpers';
import { subscriptionMigrationStatements } from '../subscriptions/subscription.schema';
import { START_CHECKPOINT, type EventToAppend, type RecordedEvent } from '../types';
import {
  createLedgerLogConsumer,
  type LedgerLogConsumer,
  type LedgerLogConsumerOptions,
} from './ledger-log-consumer';

jest.setTimeout(120_000);

const SOURCE = '/plafond/allocation';
const TOPIC = 'plafond.allocation.events.v1';
const AUDIT_TOPIC = 'plafond.allocation.audit.v1';

/** Like allocation's router: public events to the topic under a v1 type, internal ones stay in. */
const PUBLIC_TYPES: Record<string, string> = {
  UnitCreated: 'plafond.allocation.unit-created.v1',
  UsageDebited: 'plafond.allocation.usage-debited.v1',
  OverrunRecorded: 'plafond.allocation.overrun-recorded.v1',
};
const allocationLikeRouter: RelayRouter = (event) => {
  if (event.type === 'BudgetAudited') return { topic: AUDIT_TOPIC, type: 'plafond.audit.v1' };
  const type = PUBLIC_TYPES[event.type];
  return type === undefined ? null : { topic: TOPIC, type };
};
const isRouted = (event: RecordedEvent) => allocationLikeRouter(event)?.topic === TOPIC;

class PoisonError extends Error {
  readonly code = 'TEST.POISON';
}

function event(
  type: string,
  unit: string,
  amount: bigint,
  extra: Record<string, string> = {},
): EventToAppend {
  return {
    type,
    data: { unitId: unit, amountMicroWh: amount.toString(), ...extra },
    metadata: { partitionKey: unit, occurredAt: '2026-01-05T10:00:00.000Z' },
  };
}

/** Public and internal events interleaved over three units, as allocation writes them. */
function mixedEvents(round: number): EventToAppend[] {
  const unit = `unit-${round % 3}`;
  return [
    event('QuotaReserved', unit, BigInt(round * 10 + 1)),
    event('UsageDebited', unit, BigInt(round * 10 + 2)),
    event('ReservationCommitted', unit, BigInt(round * 10 + 3)),
    event('BudgetAudited', unit, BigInt(round * 10 + 4)),
    ...(round % 2 === 0 ? [event('OverrunRecorded', unit, BigInt(round * 10 + 5))] : []),
  ];
}

describe('ledger-log consumer on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let pairs = 0;
  const running: LedgerLogConsumer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('ledger_log_transport');
    pool = new Pool({ connectionString: database.url, max: 8 });
  });
  afterEach(async () => {
    for (const consumer of running.splice(0)) await consumer.stop();
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  /** A producer schema (ledger) and a consumer schema (ledger, checkpoints, inbox, an effect table). */
  async function services() {
    pairs += 1;
    const producerSchema = `producer_${pairs}`;
    const consumerSchema = `consumer_${pairs}`;
    for (const schema of [producerSchema, consumerSchema]) {
      for (const statement of [
        ...ledgerMigrationStatements(schema),
        ...subscriptionMigrationStatements(schema),
      ]) {
        await pool.query(statement);
      }
    }
    await pool.query(
      `CREATE TABLE ${consumerSchema}.effects (
         seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         event_id text NOT NULL, type text NOT NULL, amount_micro_wh bigint NOT NULL)`,
    );
    const producer = new PostgresEventStore({
      schema: producerSchema,
      connection: pgPoolSource(pool),
    });
    const consumer = new PostgresEventStore({
      schema: consumerSchema,
      connection: pgPoolSource(pool),
    });

    const deadLetters: { delivery: InboxKafkaMessage; error: unknown }[] = [];
    const deliveries: InboxKafkaMessage[] = [];

    function consumerFor(
      overrides: Partial<LedgerLogConsumerOptions> & {
        before?: (delivery: InboxKafkaMessage) => void | Promise<void>;
      } = {},
    ): LedgerLogConsumer {
      const { before, ...rest } = overrides;
      const instance = createLedgerLogConsumer({
        store: consumer,
        schema: consumerSchema,
        producer: {
          store: producer,
          schema: producerSchema,
          source: SOURCE,
          route: allocationLikeRouter,
        },
        topics: [TOPIC],
        groupId: 'billing.allocation-events',
        batchSize: 4,
        idlePollMs: 10,
        initialBackoffMs: 5,
        maxBackoffMs: 50,
        logger: quietLogger,
        // The handler shape an app passes to createInboxKafkaConsumer: decode, write the effect.
        handle: async (delivery, tx) => {
          deliveries.push(delivery);
          const cloudEvent = decodeKafkaMessage(delivery.message);
          const data = cloudEvent.data as { amountMicroWh: string };
          await tx.sql.query(
            `INSERT INTO ${consumerSchema}.effects (event_id, type, amount_micro_wh) VALUES ($1, $2, $3)`,
            [cloudEvent.id, cloudEvent.type, data.amountMicroWh],
          );
          await before?.(delivery);
        },
        onInvalidMessage: (delivery, error) => {
          deadLetters.push({ delivery, error });
          return Promise.resolve();
        },
        isPermanentFailure: (error) => error instanceof PoisonError,
        ...rest,
      });
      running.push(instance);
      return instance;
    }

    async function effects(): Promise<
      { event_id: string; type: string; amount_micro_wh: string }[]
    > {
      const { rows } = await pool.query<{
        event_id: string;
        type: string;
        amount_micro_wh: string;
      }>(
        `SELECT event_id, type, amount_micro_wh::text AS amount_micro_wh FROM ${consumerSchema}.effects ORDER BY seq`,
      );
      return rows;
    }

    /** Waits until every event appended so far is readable in commit order (other suites share the cluster). */
    async function committed(count: number): Promise<RecordedEvent[]> {
      return waitFor(
        async () => {
          const { events } = await producer.readAll({ maxCount: 10_000 });
          return events.length === count ? events : undefined;
        },
        { timeoutMs: 30_000, description: `${count} producer events to be readable` },
      );
    }

    async function checkpoint(name: string) {
      return consumer.transaction((tx) =>
        new CheckpointRepository(consumerSchema).load(tx.sql, name),
      );
    }

    return {
      producer,
      consumer,
      producerSchema,
      consumerSchema,
      deadLetters,
      deliveries,
      consumerFor,
      effects,
      committed,
      checkpoint,
    };
  }

  async function appendRounds(producer: PostgresEventStore, from: number, to: number) {
    let appended = 0;
    for (let round = from; round < to; round++) {
      const events = mixedEvents(round);
      await producer.appendToStream(`budget-${round}`, events);
      appended += events.length;
    }
    return appended;
  }

  it('delivers every routed event once, in commit order, as the record Kafka would carry; skips the rest', async () => {
    const s = await services();
    const count = await appendRounds(s.producer, 0, 6);
    const all = await s.committed(count);
    const routed = all.filter(isRouted);
    const consumer = s.consumerFor();

    const result = await consumer.catchUp();
    expect(result.eventCount).toBe(all.length);

    expect(await s.effects()).toEqual(
      routed.map((recorded) => ({
        event_id: recorded.eventId,
        type: PUBLIC_TYPES[recorded.type],
        amount_micro_wh: (recorded.data as { amountMicroWh: string }).amountMicroWh,
      })),
    );
    // Byte for byte the relay's records: same key, value, headers (hence id, source, type, data).
    const published = buildRelayBatch(
      all,
      allocationLikeRouter,
      SOURCE,
      'binary',
    ).topicMessages.find((entry) => entry.topic === TOPIC)!.messages;
    expect(s.deliveries).toHaveLength(published.length);
    s.deliveries.forEach((delivery, index) => {
      const expected = published[index]!;
      expect(delivery.topic).toBe(TOPIC);
      expect(delivery.message.key?.toString('utf8')).toBe(expected.key);
      expect(Buffer.compare(delivery.message.value!, expected.value as Buffer)).toBe(0);
      const headers = Object.fromEntries(
        Object.entries(delivery.message.headers ?? {}).map(([name, value]) => [
          name,
          String(value),
        ]),
      );
      expect(headers).toEqual(expected.headers);
    });
    // Inbox key source#id, under the consumer name (the group id by default).
    const { rows: inbox } = await pool.query<{ consumer: string; message_id: string }>(
      `SELECT consumer, message_id FROM ${s.consumerSchema}.inbox ORDER BY message_id`,
    );
    expect(inbox).toEqual(
      routed
        .map((recorded) => ({
          consumer: 'billing.allocation-events',
          message_id: `${SOURCE}#${recorded.eventId}`,
        }))
        .sort((a, b) => a.message_id.localeCompare(b.message_id)),
    );
    // The checkpoint, named after the consumer in the consumer's schema, is past the trailing
    // unrouted events too, and nothing is left behind.
    expect(consumer.name).toBe(`ledger-log:${s.producerSchema}:billing.allocation-events`);
    expect(await s.checkpoint(consumer.name)).toEqual(checkpointOf(all.at(-1)!));
    expect(await consumer.lag()).toMatchObject({ eventsBehind: 0 });
    expect(consumer.status()).toMatchObject({
      eventsProcessed: all.length,
      eventsDelivered: routed.length,
      eventsDeadLettered: 0,
    });
    expect(s.deadLetters).toEqual([]);
  });

  it('resumes from its checkpoint after a restart, and a replay from the start changes nothing', async () => {
    const s = await services();
    const first = await appendRounds(s.producer, 0, 4);
    await s.committed(first);
    const before = s.consumerFor();
    await before.start();
    await waitFor(async () => (await before.lag()).eventsBehind === 0, {
      description: 'the first instance to catch up',
    });
    await before.stop();
    const appliedBefore = (await s.effects()).length;

    const second = await appendRounds(s.producer, 4, 8);
    const all = await s.committed(first + second);
    const routed = all.filter(isRouted);
    const after = s.consumerFor();
    await after.start();
    await waitFor(async () => (await s.effects()).length === routed.length, {
      description: 'the restarted instance to apply the new events',
    });
    await waitFor(async () => (await after.lag()).eventsBehind === 0);
    await after.stop();
    // The restarted instance read only past the checkpoint.
    expect(after.status().eventsDelivered).toBe(routed.length - appliedBefore);
    expect((await s.effects()).map((row) => row.event_id)).toEqual(
      routed.map((recorded) => recorded.eventId),
    );

    // An operator rewinds the checkpoint: every event is read again, the inbox applies none.
    await s.consumer.transaction((tx) =>
      new CheckpointRepository(s.consumerSchema).reset(tx.sql, after.name, START_CHECKPOINT),
    );
    const replay = s.consumerFor();
    await replay.catchUp();
    expect(replay.status()).toMatchObject({ eventsProcessed: all.length, eventsDelivered: 0 });
    expect((await s.effects()).length).toBe(routed.length);
  });

  it('dead-letters a poison event (its effect rolled back) and applies the next one', async () => {
    const s = await services();
    const count = await appendRounds(s.producer, 0, 2);
    await s.producer.appendToStream('budget-poison', [
      event('UsageDebited', 'unit-9', 13n, { poison: 'yes' }),
      event('UsageDebited', 'unit-9', 14n),
    ]);
    const all = await s.committed(count + 2);
    const [poison, next] = all.slice(-2);
    const consumer = s.consumerFor({
      before: (delivery) => {
        const data = decodeKafkaMessage(delivery.message).data as { poison?: string };
        if (data.poison === 'yes') throw new PoisonError('refused by the domain');
      },
    });
    await consumer.start();
    await waitFor(async () => (await s.effects()).some((row) => row.event_id === next!.eventId), {
      description: 'the event after the poison one to be applied',
    });
    await consumer.stop();

    const applied = (await s.effects()).map((row) => row.event_id);
    expect(applied).not.toContain(poison!.eventId);
    expect(applied).toEqual(
      all
        .filter(isRouted)
        .filter((e) => e !== poison)
        .map((e) => e.eventId),
    );
    expect(s.deadLetters).toHaveLength(1);
    const [letter] = s.deadLetters;
    expect(letter!.error).toBeInstanceOf(PoisonError);
    expect(decodeKafkaMessage(letter!.delivery.message).id).toBe(poison!.eventId);
    expect(letter!.delivery.message.offset).toBe(poison!.globalPosition.toString());
    expect(consumer.status()).toMatchObject({ eventsDeadLettered: 1, consecutiveFailures: 0 });
    // The poison event has no inbox row: its transaction rolled back as a whole.
    const { rows } = await pool.query(
      `SELECT 1 FROM ${s.consumerSchema}.inbox WHERE message_id = $1`,
      [`${SOURCE}#${poison!.eventId}`],
    );
    expect(rows).toHaveLength(0);
    expect(await s.checkpoint(consumer.name)).toEqual(checkpointOf(next!));
  });

  it('dead-letters an event without a valid inbox key, as the Kafka consumer does', async () => {
    const s = await services();
    const count = await appendRounds(s.producer, 0, 2);
    const all = await s.committed(count);
    const routed = all.filter(isRouted);
    const [bad, ...good] = routed;
    const consumer = s.consumerFor({
      messageId: (message) => {
        const id = decodeKafkaMessage(message).id;
        return id === bad!.eventId ? 'x'.repeat(501) : `${SOURCE}#${id}`;
      },
    });
    await consumer.catchUp();
    expect((await s.effects()).map((row) => row.event_id)).toEqual(good.map((e) => e.eventId));
    expect(s.deadLetters.map(({ error }) => (error as { code?: string }).code)).toEqual([
      'LEDGER.INBOX_INVALID_KEY',
    ]);
    expect(await s.checkpoint(consumer.name)).toEqual(checkpointOf(all.at(-1)!));
  });

  it('retries a transient failure with backoff, never skipping it, then applies it once in order', async () => {
    const s = await services();
    const count = await appendRounds(s.producer, 0, 3);
    const all = await s.committed(count);
    const routed = all.filter(isRouted);
    const flaky = routed[2]!;
    let attempts = 0;
    const consumer = s.consumerFor({
      before: (delivery) => {
        if (decodeKafkaMessage(delivery.message).id !== flaky.eventId) return;
        attempts += 1;
        if (attempts <= 2) throw new Error('connection reset by peer');
      },
    });
    await consumer.start();
    await waitFor(async () => (await s.effects()).length === routed.length, {
      description: 'every event, the flaky one included, to be applied',
    });
    await consumer.stop();
    expect(attempts).toBe(3);
    expect((await s.effects()).map((row) => row.event_id)).toEqual(
      routed.map((recorded) => recorded.eventId),
    );
    expect(s.deadLetters).toEqual([]);
    expect(consumer.status()).toMatchObject({
      consecutiveFailures: 0,
      eventsDelivered: routed.length,
      lastError: { message: 'connection reset by peer' },
    });
  });

  it('two instances on one checkpoint apply each event once, in order (the checkpoint is a compare-and-set)', async () => {
    const s = await services();
    const count = await appendRounds(s.producer, 0, 10);
    const all = await s.committed(count);
    const routed = all.filter(isRouted);
    const instances = [s.consumerFor({ batchSize: 3 }), s.consumerFor({ batchSize: 5 })];
    await Promise.all(instances.map((instance) => instance.start()));
    await waitFor(async () => (await instances[0]!.lag()).eventsBehind === 0, {
      timeoutMs: 30_000,
      description: 'both instances together to reach the head',
    });
    for (const instance of instances) await instance.stop();
    expect((await s.effects()).map((row) => row.event_id)).toEqual(
      routed.map((recorded) => recorded.eventId),
    );
    expect(s.deadLetters).toEqual([]);
  });

  it('does not skip an event whose transaction commits after a later one', async () => {
    const s = await services();
    const consumer = s.consumerFor();
    await consumer.catchUp();
    const slowAppended = gate();
    const release = gate();
    const slow = s.producer.transaction(async (tx) => {
      await tx.appendToStream('late-slow', [event('UsageDebited', 'unit-1', 1n)]);
      slowAppended.open();
      await release.wait;
    });
    await slowAppended.wait;
    await s.producer.appendToStream('late-fast', [event('UsageDebited', 'unit-2', 2n)]);
    await consumer.catchUp();
    expect(await s.effects()).toEqual([]);
    release.open();
    await slow;
    await waitFor(async () => {
      await consumer.catchUp();
      return (await s.effects()).length >= 2;
    });
    const [slowEvent] = await s.producer.readStream('late-slow');
    const [fastEvent] = await s.producer.readStream('late-fast');
    expect((await s.effects()).map((row) => row.event_id)).toEqual([
      slowEvent!.eventId,
      fastEvent!.eventId,
    ]);
  });

  it('wakes at once when told, without waiting for its idle poll', async () => {
    const s = await services();
    const consumer = s.consumerFor({ idlePollMs: 60_000 });
    await consumer.start();
    await waitFor(() => consumer.status().lastCheckpoint !== undefined);
    await s.producer.appendToStream('woken', [event('UsageDebited', 'unit-1', 5n)]);
    await s.committed(1);
    const woken = Date.now();
    consumer.wake();
    await waitFor(async () => (await s.effects()).length === 1, {
      timeoutMs: 5_000,
      description: 'the woken consumer to deliver',
    });
    expect(Date.now() - woken).toBeLessThan(5_000);
  });
});
