// Publishes the public billing events (schedules, profiles, charge lines, invoices, period
// closes) to plafond.billing.events.v1 through the ledger's relay (at-least-once, per-key order,
// CloudEvent id = ledger event id, record key = metadata.partitionKey), started with the app.
// Off under the ledger-log transport (TransportRelayEdge): the consumers read this ledger in place.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { BILLING_EVENTS_SOURCE } from '@plafond/contracts';
import { EVENT_STORE, KafkaRelay, type EventStore } from '@plafond/ledger';
import {
  MESSAGE_TRANSPORT,
  MessageTransport,
  TransportRelayEdge,
  type TransportRelayStatus,
} from '@plafond/messaging';
import { JsonLogger, KafkaClients, subscriptionLogger } from '@plafond/platform';
import { billingEventRouter } from './billing-event-routes';
import { BILLING_RELAY_MODE } from './ledger-log-producer';
import { BILLING_MESSAGING_SETTINGS, type BillingMessagingSettings } from './messaging.options';

export interface BillingRelayStatus extends TransportRelayStatus {
  topic: string;
}

@Injectable()
export class BillingRelay extends TransportRelayEdge {
  readonly topic: string;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(BILLING_MESSAGING_SETTINGS) settings: BillingMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    const topic = settings.billingEventsTopic;
    super({
      transport,
      relayName: settings.relayName,
      kafkaRelay: () =>
        new KafkaRelay({
          ...settings.relay,
          store,
          schema: settings.schema,
          kafka: clients.kafka,
          source: BILLING_EVENTS_SOURCE,
          route: billingEventRouter(topic),
          mode: BILLING_RELAY_MODE,
          name: settings.relayName,
          logger: subscriptionLogger(logger, 'BillingRelay'),
        }),
      name: 'billing relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
      enabled: settings.enable.relay,
    });
    this.topic = topic;
  }

  status(): BillingRelayStatus {
    return { ...this.transportStatus(), topic: this.topic };
  }
}
