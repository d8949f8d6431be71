// The relay of a service whose transport is not Kafka: there is no broker to publish to, and the
// other services read its ledger in place. Building a KafkaRelay anyway would create a kafkajs
// producer (and its log lines) in a process that must not touch Kafka, so the service's
// RelayEdge runs this instead, disabled, and its status says why.
import { DEFAULT_RELAY_NAME, type SubscriptionLag, type SubscriptionStatus } from '@plafond/ledger';
import type { RelayLike } from '@plafond/platform';

export function idleRelay(
  reason: string,
  name: string = DEFAULT_RELAY_NAME,
): RelayLike<SubscriptionStatus, SubscriptionLag> {
  return {
    start: () => Promise.reject(new Error(`the relay does not run: ${reason}`)),
    stop: () => Promise.resolve(),
    wake: () => undefined,
    status: () => ({
      name,
      state: 'created',
      lastCheckpoint: undefined,
      eventsProcessed: 0,
      consecutiveFailures: 0,
      lastError: undefined,
    }),
    // The admin reports show this as the relay's lag: `{ error: 'the relay does not run: …' }`.
    lag: () => Promise.reject(new Error(`the relay does not run: ${reason}`)),
  };
}

/** Why a service's relay is off under a transport other than Kafka (for its status). */
export function relayOffReason(kind: string): string {
  return `the ${kind} transport has no broker: the other services read this ledger in place`;
}
