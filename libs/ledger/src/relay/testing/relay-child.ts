// A relay in its own process, so the crash test can kill it for real (SIGKILL) at the worst
// moment: after the broker acknowledged a batch and before its checkpoint committed.
// Run through bench/swc-register.js; configured by environment variables set by the test.
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { PostgresEventStore } from '../../postgres/postgres-event-store';
import { pgPoolSource } from '../../postgres/sql-executor';
import { compareCheckpoints, formatCheckpoint } from '../../subscriptions/checkpoint';
import { KafkaRelay } from '../kafka-relay';

export interface RelayChildMessage {
  type: 'acked' | 'done';
  eventCount: number;
  /** For `acked`: the checkpoint the killed batch started after, as `transactionId/globalPosition`. */
  from?: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: required('RELAY_DATABASE_URL'), max: 2 });
  const store = new PostgresEventStore({
    schema: required('RELAY_LEDGER_SCHEMA'),
    connection: pgPoolSource(pool),
  });
  const kafka = new Kafka({
    clientId: 'relay-child',
    brokers: required('RELAY_KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const topic = required('RELAY_TOPIC');
  const streamPrefix = required('RELAY_STREAM_PREFIX');
  const crashAfterAck = process.env.RELAY_CRASH_AFTER_ACK === '1';
  let routedInBatch = 0;
  const relay = new KafkaRelay({
    store,
    schema: required('RELAY_LEDGER_SCHEMA'),
    kafka,
    source: '/plafond/test-relay',
    name: required('RELAY_NAME'),
    batchSize: Number(required('RELAY_BATCH_SIZE')),
    route: (event) => {
      if (!event.streamId.startsWith(streamPrefix) || event.type !== 'QuotaDebited') return null;
      routedInBatch += 1;
      return { topic, type: 'plafond.test.quota-debited.v1' };
    },
    logger: { log: () => undefined },
    hooks: {
      async beforeCheckpoint(batch) {
        const routed = routedInBatch;
        routedInBatch = 0;
        // Crash on the first batch that really published something.
        if (!crashAfterAck || routed === 0) return;
        await send({
          type: 'acked',
          eventCount: batch.eventCount,
          from: formatCheckpoint(batch.from),
        });
        // The parent kills this process now; the bound only keeps an orphan from living forever.
        await new Promise((resolve) => setTimeout(resolve, 60_000));
        process.exit(3);
      },
    },
  });
  // Runs until the checkpoint reaches the test's target: the killed predecessor's lock lasts until
  // PostgreSQL notices the dead connection, and other sessions may briefly hold events below
  // their xmin, so a single catch-up could end early. Bounded.
  const target = {
    transactionId: BigInt(required('RELAY_UNTIL_TRANSACTION')),
    globalPosition: BigInt(required('RELAY_UNTIL_POSITION')),
  };
  let eventCount = 0;
  const reached = () => {
    const checkpoint = relay.status().lastCheckpoint;
    return checkpoint !== undefined && compareCheckpoints(checkpoint, target) >= 0;
  };
  for (let attempt = 0; attempt < 600 && !reached(); attempt++) {
    eventCount += (await relay.catchUp()).eventCount;
    if (!reached()) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!reached()) throw new Error(`relay did not reach ${formatCheckpoint(target)}`);
  await relay.stop();
  await pool.end();
  await send({ type: 'done', eventCount });
}

/** Resolves once the message is handed to the IPC channel, so an exit right after loses nothing. */
function send(message: RelayChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`relay child failed: ${String(error)}\n`);
    process.exit(2);
  },
);
