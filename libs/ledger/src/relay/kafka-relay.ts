import type { KafkaContentMode } from '@plafond/contracts';
import {
  Partitioners,
  type Kafka,
  type Producer,
  type ProducerConfig,
  type RetryOptions,
} from 'kafkajs';
import { failpoint } from '../core/failpoint';
import type { EventStore } from '../types';
import { createExternalSubscription } from '../subscriptions/external-subscription';
import type {
  BatchOutcome,
  Subscription,
  SubscriptionHooks,
  SubscriptionStatus,
} from '../subscriptions/subscription';
import { SubscriptionError } from '../subscriptions/subscription.errors';
import type { SubscriptionLag } from '../subscriptions/ledger-head';
import type { SubscriptionLogger } from '../subscriptions/subscription.logger';
import type { SubscriptionTuning } from '../subscriptions/subscription.settings';
import type { RelayRouter } from './ledger-cloud-event';
import { buildRelayBatch } from './relay-batch';

export const DEFAULT_RELAY_NAME = 'kafka-relay';

/**
 * Idempotent producer: the broker drops a retried record it already has, and with one request
 * in flight a retry can never overtake the record after it, so per-partition (hence per-key)
 * order holds. Retries are bounded: when they run out the batch fails, the checkpoint stays, and
 * the subscription's own backoff retries the whole batch (at-least-once).
 */
export function relayProducerConfig(
  retry: RetryOptions = { retries: 8, maxRetryTime: 30_000 },
): ProducerConfig {
  return {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // kafkajs 2's default, named so it does not warn about the v1 → v2 change at every start.
    createPartitioner: Partitioners.DefaultPartitioner,
    retry,
  };
}

export interface KafkaRelayOptions extends SubscriptionTuning {
  store: EventStore;
  /** Ledger schema holding the checkpoints. */
  schema: string;
  kafka: Kafka;
  /** CloudEvents `source` of everything this service publishes, e.g. `/plafond/allocation`. */
  source: string;
  route: RelayRouter;
  /** Subscription name (one checkpoint per name). Default `kafka-relay`. */
  name?: string;
  /** CloudEvents Kafka content mode. Default `binary`. */
  mode?: KafkaContentMode;
  /** Broker-side wait for the acks of one batch. Default 30 s. */
  ackTimeoutMs?: number;
  producerRetry?: RetryOptions;
  hooks?: SubscriptionHooks;
  logger?: SubscriptionLogger;
}

/**
 * Publishes ledger events to Kafka as CloudEvents. A batch's checkpoint is written only after the
 * broker acknowledged every record of it (acks = all); a crash in between re-publishes the batch
 * on restart with the same CloudEvent ids, which consumers' inboxes turn into no-ops.
 */
export class KafkaRelay {
  readonly producer: Producer;
  readonly subscription: Subscription;
  private connected = false;

  constructor(options: KafkaRelayOptions) {
    const { kafka, route, source, hooks, logger } = options;
    const mode = options.mode ?? 'binary';
    const ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    if (!Number.isSafeInteger(ackTimeoutMs) || ackTimeoutMs < 1 || ackTimeoutMs > 600_000) {
      throw new SubscriptionError(
        'CONFIG.INVALID',
        'ackTimeoutMs must be an integer in [1, 600000]',
      );
    }
    this.producer = kafka.producer(relayProducerConfig(options.producerRetry));
    this.subscription = createExternalSubscription({
      ...options,
      name: options.name ?? DEFAULT_RELAY_NAME,
      hooks,
      logger,
      handle: async (events) => {
        const batch = buildRelayBatch(events, route, source, mode);
        if (batch.messageCount === 0) return;
        await this.producer.sendBatch({
          topicMessages: batch.topicMessages,
          acks: -1,
          timeout: ackTimeoutMs,
        });
        // Acked by the broker, checkpoint not written: the restart re-publishes this batch.
        failpoint('relay.after-publish');
      },
    });
  }

  /** Connects the producer (once). */
  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Refuses (`LEDGER.TRANSACTION_IDS_BEHIND`) on a logically restored database; see `preflight`. */
  async start(): Promise<void> {
    await this.subscription.preflight();
    await this.connect();
    this.subscription.start();
  }

  /** Waits for the in-flight batch (acked and checkpointed, or rolled back), then disconnects. */
  async stop(): Promise<void> {
    await this.subscription.stop();
    if (this.connected) {
      await this.producer.disconnect();
      this.connected = false;
    }
  }

  async processNextBatch(): Promise<BatchOutcome> {
    await this.connect();
    return this.subscription.processNextBatch();
  }

  async catchUp(
    maxBatches?: number,
  ): Promise<{ eventCount: number; batches: number; locked: boolean }> {
    await this.connect();
    return this.subscription.catchUp(maxBatches);
  }

  wake(): void {
    this.subscription.wake();
  }

  status(): SubscriptionStatus {
    return this.subscription.status();
  }

  lag(): Promise<SubscriptionLag> {
    return this.subscription.lag();
  }
}
