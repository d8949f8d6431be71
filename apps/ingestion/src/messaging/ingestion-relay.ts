// Publishes usage.recorded, usage.adjusted and usage.rejected from the ingestion ledger through
// the ledger's relay (at-least-once, per-key order, CloudEvent id = ledger event id). Off under
// the ledger-log transport (TransportRelayEdge): the consumers read this ledger in place.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { INGESTION_EVENTS_SOURCE } from '@plafond/contracts';
import { EVENT_STORE, KafkaRelay, type EventStore } from '@plafond/ledger';
import {
  MESSAGE_TRANSPORT,
  MessageTransport,
  TransportRelayEdge,
  type TransportRelayStatus,
} from '@plafond/messaging';
import { JsonLogger, KafkaClients, subscriptionLogger } from '@plafond/platform';
import { IngestionConfig } from '../config';
import { ingestionEventRouter } from './ingestion-event-routes';
import { INGESTION_RELAY_MODE } from './ledger-log-producer';
import { INGESTION_MESSAGING_SETTINGS, type IngestionMessagingSettings } from './messaging.options';

export interface IngestionRelayStatus extends TransportRelayStatus {
  topics: { usageRecorded: string; usageRejected: string };
}

@Injectable()
export class IngestionRelay extends TransportRelayEdge {
  readonly topics: { usageRecorded: string; usageRejected: string };

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: IngestionConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(INGESTION_MESSAGING_SETTINGS) settings: IngestionMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    const topics = {
      usageRecorded: settings.usageRecordedTopic,
      usageRejected: settings.usageRejectedTopic,
    };
    super({
      transport,
      relayName: settings.relayName,
      kafkaRelay: () =>
        new KafkaRelay({
          ...settings.relay,
          store,
          schema: config.databaseSchema,
          kafka: clients.kafka,
          source: INGESTION_EVENTS_SOURCE,
          route: ingestionEventRouter(topics),
          mode: INGESTION_RELAY_MODE,
          name: settings.relayName,
          logger: subscriptionLogger(logger, 'IngestionRelay'),
        }),
      name: 'ingestion relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
    });
    this.topics = topics;
  }

  status(): IngestionRelayStatus {
    return { ...this.transportStatus(), topics: this.topics };
  }
}
