// Publishes the public allocation events to Kafka through the ledger's relay (at-least-once,
// per-key order, CloudEvent id = ledger event id), started with the application. Off under the
// ledger-log transport (TransportRelayEdge): the consumers read this ledger in place.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ALLOCATION_EVENTS_SOURCE } from '@plafond/contracts';
import { EVENT_STORE, KafkaRelay, type EventStore } from '@plafond/ledger';
import {
  MESSAGE_TRANSPORT,
  MessageTransport,
  TransportRelayEdge,
  type TransportRelayStatus,
} from '@plafond/messaging';
import { JsonLogger, KafkaClients, subscriptionLogger } from '@plafond/platform';
import { AllocationConfig } from '../config';
import { allocationEventRouter } from './allocation-event-routes';
import { ALLOCATION_RELAY_MODE } from './ledger-log-producer';
import { MESSAGING_SETTINGS, type MessagingSettings } from './messaging.options';

export interface AllocationRelayStatus extends TransportRelayStatus {
  topic: string;
}

@Injectable()
export class AllocationRelay extends TransportRelayEdge {
  readonly topic: string;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: AllocationConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(MESSAGING_SETTINGS) settings: MessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    const topic = settings.allocationEventsTopic;
    super({
      transport,
      relayName: settings.relayName,
      kafkaRelay: () =>
        new KafkaRelay({
          ...settings.relay,
          store,
          schema: config.databaseSchema,
          kafka: clients.kafka,
          source: ALLOCATION_EVENTS_SOURCE,
          route: allocationEventRouter(topic),
          mode: ALLOCATION_RELAY_MODE,
          name: settings.relayName,
          logger: subscriptionLogger(logger, 'AllocationRelay'),
        }),
      name: 'allocation relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
    });
    this.topic = topic;
  }

  status(): AllocationRelayStatus {
    return { ...this.transportStatus(), topic: this.topic };
  }
}
