import type { SubscriptionLag, SubscriptionStatus } from '@plafond/ledger';
import { JsonLogger, type RelayLike } from '@plafond/platform';
import { MessageTransport } from './message-transport';
import { TransportRelayEdge, type TransportRelayEdgeOptions } from './transport-relay-edge';

const logger = new JsonLogger({ service: 'test', write: () => undefined });

/** What a service's KafkaRelay reports before it starts (the test never starts it). */
function kafkaRelay(): RelayLike<SubscriptionStatus, SubscriptionLag> {
  return {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    wake: () => undefined,
    status: () => ({
      name: 'kafka-relay',
      state: 'created',
      lastCheckpoint: undefined,
      eventsProcessed: 0,
      consecutiveFailures: 0,
      lastError: undefined,
    }),
    lag: () => Promise.reject(new Error('not asked in these tests')),
  };
}

function edge(overrides: Partial<TransportRelayEdgeOptions> = {}) {
  let built = 0;
  const relay = new (class extends TransportRelayEdge {
    status() {
      return this.transportStatus();
    }
  })({
    transport: undefined,
    relayName: undefined,
    kafkaRelay: () => {
      built += 1;
      return kafkaRelay();
    },
    name: 'test relay',
    logger,
    autoStart: false,
    ...overrides,
  });
  return { relay, built: () => built };
}

describe('TransportRelayEdge', () => {
  it('runs the Kafka relay when no transport is given (the default)', () => {
    const { relay, built } = edge();
    expect(built()).toBe(1);
    expect(relay.status()).toMatchObject({ enabled: true, transport: 'kafka' });
    expect(relay.status()).not.toHaveProperty('disabledReason');
  });

  it('says a Kafka relay turned off by configuration is off by configuration', () => {
    const { relay } = edge({ transport: MessageTransport.kafka(), enabled: false });
    expect(relay.status()).toMatchObject({
      enabled: false,
      transport: 'kafka',
      disabledReason: 'disabled by configuration',
    });
  });

  it('builds no Kafka relay under ledger-log, stays off and says why', async () => {
    const { relay, built } = edge({
      transport: new MessageTransport({ kind: 'ledger-log', producers: [] }),
      relayName: 'billing-relay',
    });
    expect(built()).toBe(0);
    relay.start();
    expect(relay.status()).toMatchObject({
      enabled: false,
      transport: 'ledger-log',
      disabledReason:
        'the ledger-log transport has no broker: the other services read this ledger in place',
      subscription: { name: 'billing-relay', state: 'created' },
    });
    await expect(relay.lag()).rejects.toThrow('the relay does not run');
  });
});
