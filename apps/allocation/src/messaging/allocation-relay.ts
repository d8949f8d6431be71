// Publishes the public allocation events to Kafka through the ledger's relay (at-least-once,
// per-key order, CloudEvent id = ledger event id), started with the application.
import { Inject, Injectable } from '@nestjs/common';
import { ALLOCATION_EVENTS_SOURCE } from '@plafond/contracts';
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
import { AllocationConfig } from '../config';
import { allocationEventRouter } from './allocation-event-routes';
import { MESSAGING_SETTINGS, type MessagingSettings } from './messaging.options';

export interface AllocationRelayStatus extends EdgeStatus {
  topic: string;
  /** The relay's subscription: state, checkpoint, events published, last error. */
  subscription: SubscriptionStatus;
}

@Injectable()
export class AllocationRelay extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly topic: string;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: AllocationConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(MESSAGING_SETTINGS) settings: MessagingSettings,
  ) {
    const topic = settings.allocationEventsTopic;
    // The relay owns its idempotent producer and disconnects it in stop().
    const relay = new KafkaRelay({
      ...settings.relay,
      store,
      schema: config.databaseSchema,
      kafka: clients.kafka,
      source: ALLOCATION_EVENTS_SOURCE,
      route: allocationEventRouter(topic),
      mode: 'binary',
      name: settings.relayName,
      logger: subscriptionLogger(logger, 'AllocationRelay'),
    });
    super(relay, {
      name: 'allocation relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
    });
    this.topic = topic;
  }

  status(): AllocationRelayStatus {
    return { ...this.edgeStatus(), topic: this.topic };
  }
}
