// Publishes usage.recorded, usage.adjusted and usage.rejected from the ingestion ledger through
// the ledger's relay (at-least-once, per-key order, CloudEvent id = ledger event id).
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { INGESTION_EVENTS_SOURCE } from '@plafond/contracts';
import {
  EVENT_STORE,
  KafkaRelay,
  type EventStore,
  type SubscriptionLag,
  type SubscriptionStatus,
} from '@plafond/ledger';
import { JsonLogger, KafkaClients } from '@plafond/platform';
import { IngestionConfig } from '../config';
import { BackgroundStart, type EdgeStatus } from '@plafond/platform';
import { ingestionEventRouter } from './ingestion-event-routes';
import { subscriptionLogger } from '@plafond/platform';
import { INGESTION_MESSAGING_SETTINGS, type IngestionMessagingSettings } from './messaging.options';

export interface IngestionRelayStatus extends EdgeStatus {
  topics: { usageRecorded: string; usageRejected: string };
  subscription: SubscriptionStatus;
}

@Injectable()
export class IngestionRelay implements OnApplicationBootstrap, OnModuleDestroy {
  readonly relay: KafkaRelay;
  readonly topics: { usageRecorded: string; usageRejected: string };
  private readonly starter: BackgroundStart;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: IngestionConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(INGESTION_MESSAGING_SETTINGS) private readonly settings: IngestionMessagingSettings,
  ) {
    this.topics = {
      usageRecorded: settings.usageRecordedTopic,
      usageRejected: settings.usageRejectedTopic,
    };
    this.relay = new KafkaRelay({
      ...settings.relay,
      store,
      schema: config.databaseSchema,
      kafka: clients.kafka,
      source: INGESTION_EVENTS_SOURCE,
      route: ingestionEventRouter(this.topics),
      mode: 'binary',
      name: settings.relayName,
      logger: subscriptionLogger(logger, 'IngestionRelay'),
    });
    this.starter = new BackgroundStart({
      name: 'ingestion relay',
      start: () => this.relay.start(),
      stop: () => this.relay.stop(),
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

  start(): void {
    this.starter.begin();
  }

  stop(): Promise<void> {
    return this.starter.end();
  }

  /** Skips the idle wait: call after an in-process append to publish sooner. */
  wake(): void {
    this.relay.wake();
  }

  status(): IngestionRelayStatus {
    return { ...this.starter.status(), topics: this.topics, subscription: this.relay.status() };
  }

  lag(): Promise<SubscriptionLag> {
    return this.relay.lag();
  }
}
