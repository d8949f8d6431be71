import { kafkaBrokers, uniqueTopicPrefix } from '@plafond/testing';
import { Kafka, logLevel } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonLogger } from '../logging/json-logger';
import { KafkaClients } from './kafka-clients';
import { provisionTopics } from './provisioning';

describe('KafkaClients shutdown on a real broker', () => {
  it('lets the message in hand finish before the consumer leaves, then disconnects the rest', async () => {
    const prefix = uniqueTopicPrefix('kafka-clients');
    const topic = `${prefix}work.v1`;
    const brokers = kafkaBrokers();
    await provisionTopics(
      brokers,
      [{ name: 'work.v1', partitions: 1, retentionMs: 3_600_000, cleanupPolicy: 'delete' }],
      {
        prefix,
      },
    );
    const lines: string[] = [];
    const clients = new KafkaClients(
      new Kafka({ clientId: 'kafka-clients-int-spec', brokers, logLevel: logLevel.NOTHING }),
      new JsonLogger({ service: 'test', write: (line) => lines.push(line) }),
    );
    const events: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => undefined;
    const handling = new Promise<void>((resolve) => {
      started = resolve;
    });

    const producer = clients.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'unit-1', value: 'work' }] });
    const consumer = clients.consumer({ groupId: `${prefix}group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async () => {
        started();
        await released;
        events.push('message handled');
      },
    });

    await handling;
    const stopping = clients.onModuleDestroy().then(() => events.push('consumer stopped'));
    // Long enough for a disconnect that does not wait to be over before the release.
    await sleep(500);
    events.push('released');
    release();
    await stopping;
    expect(events).toEqual(['released', 'message handled', 'consumer stopped']);

    await clients.onApplicationShutdown();
    await expect(producer.send({ topic, messages: [{ value: 'late' }] })).rejects.toThrow();
    const messages = lines.map((line) => JSON.parse(line) as { msg: string; count: number });
    expect(messages).toEqual([
      expect.objectContaining({ msg: 'consumers stopped', count: 1 }),
      expect.objectContaining({ msg: 'producers and admin clients disconnected', count: 1 }),
    ]);
  }, 60_000);
});
