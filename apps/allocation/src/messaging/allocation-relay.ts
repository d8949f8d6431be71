// Publishes the public allocation events to Kafka through the ledger's relay (at-least-once,
// per-key order, CloudEvent id = ledger event id), started with the application.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ALLOCATION_EVENTS_SOURCE } from '@plafond/contracts';
import {
  EVENT_STORE,
  KafkaRelay,
  type EventStore,
  type SubscriptionLag,
  type SubscriptionStatus,
} from '@plafond/ledger';
import { JsonLogger, KafkaClients } from '@plafond/platform';
import { AllocationConfig } from '../config';
import { allocationEventRouter } from './allocation-event-routes';
import { BackgroundStart, type EdgeStatus } from '@plafond/platform';
import { subscriptionLogger } from '@plafond/platform';
import { MESSAGING_SETTINGS, type MessagingSettings } from './messaging.options';

export interface AllocationRelayStatus extends EdgeStatus {
  topic: string;
  /** The relay's subscription: state, checkpoint, events published, last error. */
  subscription: SubscriptionStatus;
}

@Injectable()
export class AllocationRelay implements OnApplicationBootstrap, OnModuleDestroy {
  readonly relay: KafkaRelay;
  readonly topic: string;
  private readonly starter: BackgroundStart;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: AllocationConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
  ) {
    this.topic = settings.allocationEventsTopic;
    // The relay owns its idempotent producer and disconnects it in stop().
    this.relay = new KafkaRelay({
      ...settings.relay,
      store,
      schema: config.databaseSchema,
      kafka: clients.kafka,
      source: ALLOCATION_EVENTS_SOURCE,
      route: allocationEventRouter(this.topic),
      mode: 'binary',
      name: settings.relayName,
      logger: subscriptionLogger(logger, 'AllocationRelay'),
    });
    this.starter = new BackgroundStart({
      name: 'allocation relay',
      start: () => this.relay.start(),
      stop: () => this.relay.stop(),
      // A logically restored database: publishing would skip events; an operator must act.
      isFatal: (error) =>
        (error as { code?: unknown } | null)?.code === 'LEDGER.TRANSACTION_IDS_BEHIND',
      logger,
      retry: settings.startRetry,
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts in the background (restore guard, producer connection, then the polling loop). */
  start(): void {
    this.starter.begin();
  }

  /** Waits for the batch in flight (acked and checkpointed, or rolled back), then disconnects. */
  stop(): Promise<void> {
    return this.starter.end();
  }

  /** Skips the idle wait: call after an in-process append to publish sooner. */
  wake(): void {
    this.relay.wake();
  }

  status(): AllocationRelayStatus {
    return { ...this.starter.status(), topic: this.topic, subscription: this.relay.status() };
  }

  /** Ledger events not yet published (see docs/ledger-subscriptions.md, Operations). */
  lag(): Promise<SubscriptionLag> {
    return this.relay.lag();
  }
}
