// On the real broker: records without a valid inbox key go to the dead-letter handler and the
// partition moves on; the good records around them are applied exactly once, whether a chunk of
// them commits in one transaction or, after a failure, one by one.
import { createCloudEvent, encodeKafkaMessage } from '@plafond/contracts';
import { uniqueTopicPrefix, waitFor } from '@plafond/testing';
import type { Kafka, Message } from 'kafkajs';
import { createTopic, testKafka } from '../relay/testing/kafka-test-kit';
import { quietLogger } from '../subscriptions/testing/async-helpers';
import {
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from '../subscriptions/testing/ledger-test-kit';
import { RetryUnitOfWork } from '../core/unit-of-work';
import { Inbox } from './inbox';
import { createInboxKafkaConsumer, type InboxKafkaMessage } from './inbox.kafka-consumer';

jest.setTimeout(120_000);

function cloudEvent(id: string): Message {
  const event = createCloudEvent({
    id,
    source: '/plafond/test',
    type: 'plafond.test.noted.v1',
    datacontenttype: 'application/json',
    data: { id },
  });
  return encodeKafkaMessage(event, { mode: 'binary' });
}

/** Waits until the group's committed offset of the topic's partition 0 reaches `end`, then stops. */
async function consumeUntilCommitted(
  kafka: Kafka,
  group: { groupId: string; topic: string; end: number },
  stop: () => Promise<void>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const [offsets] = await admin.fetchOffsets({
          groupId: group.groupId,
          topics: [group.topic],
        });
        return offsets?.partitions[0]?.offset === String(group.end) || undefined;
      },
      { timeoutMs: 60_000, description: 'the group to commit past every record' },
    );
  } finally {
    await admin.disconnect();
    await stop();
  }
}

describe('inbox Kafka consumer and invalid messages', () => {
  let kit: LedgerTestKit;
  let kafka: Kafka;

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_inbox_consumer');
    kafka = testKafka('inbox-consumer-test');
    await kit.pool.query(`CREATE TABLE public.applied (event_id text NOT NULL)`);
  });
  afterAll(async () => {
    await kit.close();
  });

  it('dead-letters a poison message, commits past it and applies the good ones', async () => {
    const topic = `${uniqueTopicPrefix('inbox-poison')}events`;
    await createTopic(kafka, topic, 1);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const records: Message[] = [
      { value: Buffer.from('not a CloudEvent') },
      cloudEvent('good-1'),
      // A valid CloudEvent whose source#id is too long for an inbox key.
      cloudEvent('x'.repeat(600)),
      cloudEvent('good-2'),
      cloudEvent('good-3'),
    ];
    try {
      await producer.send({ topic, acks: -1, messages: records });
    } finally {
      await producer.disconnect();
    }

    const deadLetters: { offset: string; code: unknown }[] = [];
    const groupId = `${topic}-billing`;
    const consumer = createInboxKafkaConsumer({
      kafka,
      groupId,
      topics: [topic],
      fromBeginning: true,
      inbox: new Inbox({ store: kit.store, schema: LEDGER_SCHEMA }),
      logger: quietLogger,
      consumerConfig: { maxWaitTimeInMs: 100 },
      onInvalidMessage: (delivery: InboxKafkaMessage, error: unknown) => {
        deadLetters.push({
          offset: delivery.message.offset,
          code: (error as { code?: unknown }).code,
        });
        return Promise.resolve();
      },
      handle: async ({ message }, tx) => {
        const id = message.headers?.ce_id?.toString() ?? '';
        await tx.sql.query(`INSERT INTO public.applied (event_id) VALUES ($1)`, [id]);
      },
    });
    await consumer.start();
    await consumeUntilCommitted(kafka, { groupId, topic, end: records.length }, () =>
      consumer.stop(),
    );
    const { rows } = await kit.pool.query<{ event_id: string }>(
      `SELECT event_id FROM public.applied ORDER BY event_id`,
    );
    expect(rows.map((row) => row.event_id)).toEqual(['good-1', 'good-2', 'good-3']);
    expect(deadLetters).toEqual([
      { offset: '0', code: 'CLOUDEVENT.INVALID' },
      { offset: '2', code: 'LEDGER.INBOX_INVALID_KEY' },
    ]);
  });

  it('takes a consumer made by the caller and dead-letters permanent effect failures', async () => {
    const topic = `${uniqueTopicPrefix('inbox-permanent')}events`;
    await createTopic(kafka, topic, 1);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: [cloudEvent('refused-1'), cloudEvent('fine-1'), cloudEvent('flaky-1')],
      });
    } finally {
      await producer.disconnect();
    }

    class Refusal extends Error {
      readonly code = 'TEST.REFUSED';
    }
    const deadLetters: { offset: string; code: unknown }[] = [];
    let flakyAttempts = 0;
    const groupId = `${topic}-caller-made`;
    const inbox = new Inbox({ store: kit.store, schema: LEDGER_SCHEMA });
    // As KafkaClients would hand it out: the caller owns (and may disconnect) this consumer.
    const kafkaConsumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const consumer = createInboxKafkaConsumer({
      consumer: kafkaConsumer,
      groupId,
      topics: [topic],
      fromBeginning: true,
      inbox,
      logger: quietLogger,
      isPermanentFailure: (error) => error instanceof Refusal,
      onInvalidMessage: (delivery, error) => {
        deadLetters.push({ offset: delivery.message.offset, code: (error as Refusal).code });
        return Promise.resolve();
      },
      handle: async ({ message }, tx) => {
        const id = message.headers?.ce_id?.toString() ?? '';
        // Written before the refusal: must roll back with the inbox row.
        await tx.sql.query(`INSERT INTO public.applied (event_id) VALUES ($1)`, [id]);
        if (id === 'refused-1') throw new Refusal('refused for good');
        // A transient failure is retried, never dead-lettered.
        if (id === 'flaky-1' && ++flakyAttempts === 1) throw new Error('transient');
      },
    });
    expect(consumer.consumer).toBe(kafkaConsumer);
    await consumer.start();
    await consumeUntilCommitted(kafka, { groupId, topic, end: 3 }, () =>
      kafkaConsumer.disconnect(),
    );
    const { rows } = await kit.pool.query<{ event_id: string }>(
      `SELECT event_id FROM public.applied WHERE event_id IN ('refused-1', 'fine-1', 'flaky-1')
       ORDER BY event_id`,
    );
    expect(rows.map((row) => row.event_id)).toEqual(['fine-1', 'flaky-1']);
    expect(deadLetters).toEqual([{ offset: '0', code: 'TEST.REFUSED' }]);
    expect(flakyAttempts).toBe(2);
    expect(await inbox.wasConsumed(groupId, '/plafond/test#refused-1')).toBe(false);
    expect(await inbox.wasConsumed(groupId, '/plafond/test#flaky-1')).toBe(true);
  });

  it('applies a batch in one transaction per chunk, falls back message by message on a failure, and counts only committed effects', async () => {
    const topic = `${uniqueTopicPrefix('inbox-chunks')}events`;
    await createTopic(kafka, topic, 1);
    // 40 records: a repeated id (the second is a redelivery), a refusal in the middle of a chunk.
    const ids = Array.from({ length: 38 }, (_, i) => `chunk-${String(i).padStart(2, '0')}`);
    const records = [...ids.slice(0, 20), 'chunk-05', 'chunk-refused', ...ids.slice(20)];
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: records.map((id) => cloudEvent(id)) });
    } finally {
      await producer.disconnect();
    }

    class Refusal extends Error {
      readonly code = 'TEST.REFUSED';
    }
    const inbox = new Inbox({ store: kit.store, schema: LEDGER_SCHEMA });
    const transactions = jest.spyOn(inbox, 'consumeEachOnce');
    const consume = async (groupId: string, consumerName: string) => {
      const deadLetters: string[] = [];
      const appliedIds: string[] = [];
      const consumer = createInboxKafkaConsumer({
        kafka,
        groupId,
        consumerName,
        topics: [topic],
        fromBeginning: true,
        inbox,
        logger: quietLogger,
        maxMessagesPerTransaction: 16,
        consumerConfig: { maxWaitTimeInMs: 100 },
        isPermanentFailure: (error) => error instanceof Refusal,
        onInvalidMessage: (delivery) => {
          deadLetters.push(delivery.message.offset);
          return Promise.resolve();
        },
        onApplied: ({ message }) => appliedIds.push(message.headers?.ce_id?.toString() ?? ''),
        handle: async ({ message }, tx) => {
          const id = message.headers?.ce_id?.toString() ?? '';
          await tx.sql.query(`INSERT INTO public.applied (event_id) VALUES ($1)`, [id]);
          if (id === 'chunk-refused') throw new Refusal('refused for good');
        },
      });
      await consumer.start();
      await consumeUntilCommitted(kafka, { groupId, topic, end: records.length }, () =>
        consumer.stop(),
      );
      return { deadLetters, appliedIds };
    };

    const first = await consume(`${topic}-first`, `${topic}-inbox`);
    const { rows } = await kit.pool.query<{ event_id: string }>(
      `SELECT event_id FROM public.applied WHERE event_id LIKE 'chunk-%' ORDER BY event_id`,
    );
    // Every good record once, the repeated id once, nothing of the refused one.
    expect(rows.map((row) => row.event_id)).toEqual(ids);
    expect([...first.appliedIds].sort()).toEqual(ids);
    expect(first.deadLetters).toEqual([String(records.indexOf('chunk-refused'))]);
    // Chunks did run in one transaction each (at least the ones without the refusal).
    expect(transactions).toHaveBeenCalled();

    // Delivered again to the same inbox consumer (another group): every one is a redelivery.
    const again = await consume(`${topic}-again`, `${topic}-inbox`);
    expect(again.appliedIds).toEqual([]);
    expect(again.deadLetters).toEqual([String(records.indexOf('chunk-refused'))]);
    const { rows: after } = await kit.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM public.applied WHERE event_id LIKE 'chunk-%'`,
    );
    expect(after[0]?.n).toBe(ids.length);
  });

  it('gives a chunk that keeps losing a race two attempts, then applies its records one by one', async () => {
    const topic = `${uniqueTopicPrefix('inbox-race')}events`;
    await createTopic(kafka, topic, 1);
    const ids = ['race-0', 'race-1', 'race-2', 'race-3'];
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // One send: one fetched batch, one chunk.
      await producer.send({ topic, acks: -1, messages: ids.map((id) => cloudEvent(id)) });
    } finally {
      await producer.disconnect();
    }
    // race-2 loses a retryable race five times, as a chunk's append to a hot allocation account
    // does: the chunk took its transaction id at its start, and the account's steady writers
    // append with later ones before the chunk gets there (LEDGER RETRYABLE_TRANSACTION_ORDER).
    const runs = new Map<string, number>();
    const groupId = `${topic}-group`;
    const consumer = createInboxKafkaConsumer({
      kafka,
      groupId,
      topics: [topic],
      fromBeginning: true,
      inbox: new Inbox({ store: kit.store, schema: LEDGER_SCHEMA }),
      logger: quietLogger,
      consumerConfig: { maxWaitTimeInMs: 100 },
      onInvalidMessage: () => Promise.reject(new Error('nothing here is invalid')),
      handle: async ({ message }, tx) => {
        const id = message.headers?.ce_id?.toString() ?? '';
        const run = (runs.get(id) ?? 0) + 1;
        runs.set(id, run);
        if (id === 'race-2' && run <= 5) throw new RetryUnitOfWork(`lost a race (${run})`);
        await tx.sql.query(`INSERT INTO public.applied (event_id) VALUES ($1)`, [id]);
      },
    });
    await consumer.start();
    await consumeUntilCommitted(kafka, { groupId, topic, end: ids.length }, () => consumer.stop());
    const { rows } = await kit.pool.query<{ event_id: string }>(
      `SELECT event_id FROM public.applied WHERE event_id LIKE 'race-%' ORDER BY event_id`,
    );
    expect(rows.map((row) => row.event_id)).toEqual(ids);
    // Two chunk attempts, then alone (where race-2 gets its own retries): race-0 ran three
    // times, not once per attempt of a chunk retried until race-2 won (six).
    expect(Object.fromEntries(runs)).toEqual({
      'race-0': 3,
      'race-1': 3,
      'race-2': 6,
      'race-3': 1,
    });
  });
});
