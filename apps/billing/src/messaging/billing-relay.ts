// Publishes the public billing events (schedules, profiles, charge lines, invoices, period
// closes) to plafond.billing.events.v1 through the ledger's relay (at-least-once, per-key order,
// CloudEvent id = ledger event id, record key = metadata.partitionKey), started with the app.
import { Inject, Injectable } from '@nestjs/common';
import { BILLING_EVENTS_SOURCE } from '@plafond/contracts';
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
import { billingEventRouter } from './billing-event-routes';
import { BILLING_MESSAGING_SETTINGS, type BillingMessagingSettings } from './messaging.options';

export interface BillingRelayStatus extends EdgeStatus {
  enabled: boolean;
  topic: string;
  /** The relay's subscription: state, checkpoint, events published, last error. */
  subscription: SubscriptionStatus;
}

@Injectable()
export class BillingRelay extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly topic: string;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(BILLING_MESSAGING_SETTINGS) settings: BillingMessagingSettings,
  ) {
    const topic = settings.billingEventsTopic;
    // The relay owns its idempotent producer and disconnects it in stop().
    const relay = new KafkaRelay({
      ...settings.relay,
      store,
      schema: settings.schema,
      kafka: clients.kafka,
      source: BILLING_EVENTS_SOURCE,
      route: billingEventRouter(topic),
      mode: 'binary',
      name: settings.relayName,
      logger: subscriptionLogger(logger, 'BillingRelay'),
    });
    super(relay, {
      name: 'billing relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
      enabled: settings.enable.relay,
    });
    this.topic = topic;
  }

  status(): BillingRelayStatus {
    return { ...this.edgeStatus(), enabled: this.enabled, topic: this.topic };
  }
}
