// Publishes usage.recorded, usage.adjusted and usage.rejected from the ingestion ledger through
// the ledger's relay (at-least-once, per-key order, CloudEvent id = ledger event id).
import { Inject, Injectable } from '@nestjs/common';
import { INGESTION_EVENTS_SOURCE } from '@plafond/contracts';
import {
  EVENT_STORE,
  KafkaRelay,
  type EventStore,
  type SubscriptionLag,
  type SubscriptionStatus,
} from '@plafond/ledger';
import {
  JsonLogger,
  KafkaClients,
  RelayEdge,
  subscriptionLogger,
  type EdgeStatus,
} from '@plafond/platform';
import { IngestionConfig } from '../config';
import { ingestionEventRouter } from './ingestion-event-routes';
import { INGESTION_MESSAGING_SETTINGS, type IngestionMessagingSettings } from './messaging.options';

export interface IngestionRelayStatus extends EdgeStatus {
  topics: { usageRecorded: string; usageRejected: string };
  subscription: SubscriptionStatus;
}

@Injectable()
export class IngestionRelay extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly topics: { usageRecorded: string; usageRejected: string };

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: IngestionConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(INGESTION_MESSAGING_SETTINGS) settings: IngestionMessagingSettings,
  ) {
    const topics = {
      usageRecorded: settings.usageRecordedTopic,
      usageRejected: settings.usageRejectedTopic,
    };
    const relay = new KafkaRelay({
      ...settings.relay,
      store,
      schema: config.databaseSchema,
      kafka: clients.kafka,
      source: INGESTION_EVENTS_SOURCE,
      route: ingestionEventRouter(topics),
      mode: 'binary',
      name: settings.relayName,
      logger: subscriptionLogger(logger, 'IngestionRelay'),
    });
    super(relay, {
      name: 'ingestion relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
    });
    this.topics = topics;
  }

  status(): IngestionRelayStatus {
    return { ...this.edgeStatus(), topics: this.topics };
  }
}
