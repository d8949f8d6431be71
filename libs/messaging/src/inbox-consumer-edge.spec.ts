// Which adapter the shared inbox-consumer edge builds for each transport. Nothing is started: a
// Kafka consumer object connects only on start, and the ledger stores only on their first query.
import { TOPICS, topicName } from '@plafond/contracts';
import { PostgresEventStore, typeormDataSourceSource, type RelayRouter } from '@plafond/ledger';
import { JsonLogger, KafkaClients } from '@plafond/platform';
import { Kafka, type Consumer, type ConsumerConfig } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createInboxConsumerEdge, type InboxConsumerEdgeOptions } from './inbox-consumer-edge';
import { MessageTransport, type LedgerLogProducerSpec } from './message-transport';

/** A real kafkajs client that counts the consumers made from it. */
class CountingKafka extends Kafka {
  consumers = 0;
  override consumer(config: ConsumerConfig): Consumer {
    this.consumers += 1;
    return super.consumer(config);
  }
}

const USAGE_TOPIC = topicName(TOPICS.usageRecorded, '');
const route: RelayRouter = () => ({ topic: USAGE_TOPIC, type: 'plafond.usage.recorded.v1' });
const ingestion: LedgerLogProducerSpec = {
  name: 'ingestion',
  schema: 'ingestion',
  source: '/plafond/ingestion',
  topics: [USAGE_TOPIC],
  route,
};

function setup() {
  const logger = new JsonLogger({ service: 'test', level: 'error', write: () => undefined });
  const kafka = new CountingKafka({ clientId: 'test', brokers: ['127.0.0.1:1'] });
  // Never initialised: the edge must not query before it starts.
  const dataSource = new DataSource({ type: 'postgres' });
  const deps = {
    store: new PostgresEventStore({
      schema: 'billing',
      connection: typeormDataSourceSource(dataSource),
    }),
    schema: 'billing',
    clients: new KafkaClients(kafka, logger),
    logger,
    transport: MessageTransport.kafka(),
  };
  return { kafka, deps, dataSource };
}

const options = (overrides: Partial<InboxConsumerEdgeOptions> = {}): InboxConsumerEdgeOptions => ({
  name: 'billing usage.recorded consumer',
  loggerContext: 'Test',
  topic: USAGE_TOPIC,
  groupId: 'plafond-billing.usage',
  handle: () => Promise.resolve(),
  isPermanentFailure: () => false,
  onInvalidMessage: () => Promise.resolve(),
  ...overrides,
});

describe('the inbox-consumer edge', () => {
  it('over Kafka makes one group consumer from KafkaClients and reports the kafka transport', () => {
    const { kafka, deps } = setup();
    const edge = createInboxConsumerEdge(deps, options());
    expect(kafka.consumers).toBe(1);
    expect(edge.transport).toBe('kafka');
    expect(edge.status()).toEqual({
      state: 'idle',
      attempts: 0,
      lastError: undefined,
      enabled: true,
      transport: 'kafka',
      topic: USAGE_TOPIC,
      groupId: 'plafond-billing.usage',
    });
  });

  it('over ledger-log reads the producer that routes to the topic, and never touches Kafka', async () => {
    const { kafka, deps, dataSource } = setup();
    const transport = new MessageTransport(
      { kind: 'ledger-log', producers: [ingestion], idlePollMs: 25 },
      dataSource,
    );
    const edge = createInboxConsumerEdge({ ...deps, transport }, options());
    expect(kafka.consumers).toBe(0);
    expect(edge.transport).toBe('ledger-log');
    expect(edge.status()).toMatchObject({
      state: 'idle',
      enabled: true,
      transport: 'ledger-log',
      topic: USAGE_TOPIC,
      groupId: 'plafond-billing.usage',
      ledgerLog: {
        producer: 'ingestion',
        checkpointName: 'ledger-log:ingestion:plafond-billing.usage',
        subscription: { eventsProcessed: 0, eventsDelivered: 0, eventsDeadLettered: 0 },
      },
    });
    // Stopping what never started is a no-op under either transport.
    await edge.stop();
    expect(edge.status().state).toBe('idle');
  });

  it('refuses a ledger-log topic no producer publishes to, naming the producers', () => {
    const { deps, dataSource } = setup();
    const transport = new MessageTransport(
      { kind: 'ledger-log', producers: [ingestion] },
      dataSource,
    );
    expect(() =>
      createInboxConsumerEdge(
        { ...deps, transport },
        options({ topic: 'plafond.billing.events.v1' }),
      ),
    ).toThrow(/no ledger-log producer publishes to plafond\.billing\.events\.v1.*ingestion/);
  });

  it('creates nothing when disabled, under either transport', async () => {
    const { kafka, deps, dataSource } = setup();
    const kafkaEdge = createInboxConsumerEdge(deps, options({ enabled: false }));
    const transport = new MessageTransport({ kind: 'ledger-log', producers: [] }, dataSource);
    const logEdge = createInboxConsumerEdge(
      { ...deps, transport },
      options({ enabled: false, topic: 'nobody.publishes.this' }),
    );
    expect(kafka.consumers).toBe(0);
    for (const edge of [kafkaEdge, logEdge]) {
      edge.start();
      await edge.stop();
      expect(edge.status()).toMatchObject({ state: 'idle', enabled: false });
      expect(await edge.lag()).toBeNull();
    }
  });
});
