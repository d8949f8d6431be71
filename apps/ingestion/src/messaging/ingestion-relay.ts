// Publishes usage.recorded, usage.adjusted and usage.rejected from the ingestion ledger through
// the ledger's relay (at-least-once, per-key order, CloudEvent id = ledger event id).
import { Inject, Injectable, Optional } from '@nestjs/common';
import { INGESTION_EVENTS_SOURCE } from '@plafond/contracts';
import {
  EVENT_STORE,
  KafkaRelay,
  type EventStore,
  type SubscriptionLag,
  type SubscriptionStatus,
} from '@plafond/ledger';
import { MESSAGE_TRANSPORT, MessageTransport, idleRelay, relayOffReason } from '@plafond/messaging';
import {
  JsonLogger,
  KafkaClients,
  RelayEdge,
  subscriptionLogger,
  type EdgeStatus,
} from '@plafond/platform';
import { IngestionConfig } from '../config';
import { ingestionEventRouter } from './ingestion-event-routes';
import { INGESTION_RELAY_MODE } from './ledger-log-producer';
import { INGESTION_MESSAGING_SETTINGS, type IngestionMessagingSettings } from './messaging.options';

export interface IngestionRelayStatus extends EdgeStatus {
  enabled: boolean;
  transport: MessageTransport['kind'];
  /** Why the relay does not run, when disabled. */
  disabledReason?: string;
  topics: { usageRecorded: string; usageRejected: string };
  subscription: SubscriptionStatus;
}

@Injectable()
export class IngestionRelay extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly transport: MessageTransport['kind'];
  readonly topics: { usageRecorded: string; usageRejected: string };

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: IngestionConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(INGESTION_MESSAGING_SETTINGS) settings: IngestionMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    const kind = (transport ?? MessageTransport.kafka()).kind;
    const topics = {
      usageRecorded: settings.usageRecordedTopic,
      usageRejected: settings.usageRejectedTopic,
    };
    const relay =
      kind === 'kafka'
        ? new KafkaRelay({
            ...settings.relay,
            store,
            schema: config.databaseSchema,
            kafka: clients.kafka,
            source: INGESTION_EVENTS_SOURCE,
            route: ingestionEventRouter(topics),
            mode: INGESTION_RELAY_MODE,
            name: settings.relayName,
            logger: subscriptionLogger(logger, 'IngestionRelay'),
          })
        : idleRelay(relayOffReason(kind), settings.relayName);
    super(relay, {
      name: 'ingestion relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
      // Under ledger-log the consumers read this ledger in place: nothing to publish, no broker.
      enabled: kind === 'kafka',
    });
    this.topics = topics;
    this.transport = kind;
  }

  status(): IngestionRelayStatus {
    return { ...this.edgeStatus(), ...this.why(), topics: this.topics };
  }

  private why(): Pick<IngestionRelayStatus, 'enabled' | 'transport' | 'disabledReason'> {
    if (this.enabled) return { enabled: true, transport: this.transport };
    const disabledReason =
      this.transport === 'kafka' ? 'disabled by configuration' : relayOffReason(this.transport);
    return { enabled: false, transport: this.transport, disabledReason };
  }
}
