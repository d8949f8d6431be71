// Publishes the public billing events (schedules, profiles, charge lines, invoices, period
// closes) to plafond.billing.events.v1 through the ledger's relay (at-least-once, per-key order,
// CloudEvent id = ledger event id, record key = metadata.partitionKey), started with the app.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { BILLING_EVENTS_SOURCE } from '@plafond/contracts';
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
import { billingEventRouter } from './billing-event-routes';
import { BILLING_RELAY_MODE } from './ledger-log-producer';
import { BILLING_MESSAGING_SETTINGS, type BillingMessagingSettings } from './messaging.options';

export interface BillingRelayStatus extends EdgeStatus {
  transport: MessageTransport['kind'];
  /** Why the relay does not run, when disabled. */
  disabledReason?: string;
  enabled: boolean;
  topic: string;
  /** The relay's subscription: state, checkpoint, events published, last error. */
  subscription: SubscriptionStatus;
}

@Injectable()
export class BillingRelay extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly transport: MessageTransport['kind'];
  readonly topic: string;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(BILLING_MESSAGING_SETTINGS) settings: BillingMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    const kind = (transport ?? MessageTransport.kafka()).kind;
    const topic = settings.billingEventsTopic;
    // The relay owns its idempotent producer and disconnects it in stop().
    const relay =
      kind === 'kafka'
        ? new KafkaRelay({
            ...settings.relay,
            store,
            schema: settings.schema,
            kafka: clients.kafka,
            source: BILLING_EVENTS_SOURCE,
            route: billingEventRouter(topic),
            mode: BILLING_RELAY_MODE,
            name: settings.relayName,
            logger: subscriptionLogger(logger, 'BillingRelay'),
          })
        : idleRelay(relayOffReason(kind), settings.relayName);
    super(relay, {
      name: 'billing relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
      // Under ledger-log the consumers read this ledger in place: nothing to publish, no broker.
      enabled: settings.enable.relay && kind === 'kafka',
    });
    this.topic = topic;
    this.transport = kind;
  }

  status(): BillingRelayStatus {
    return { ...this.edgeStatus(), ...this.why(), topic: this.topic };
  }

  private why(): Pick<BillingRelayStatus, 'enabled' | 'transport' | 'disabledReason'> {
    if (this.enabled) return { enabled: true, transport: this.transport };
    const disabledReason =
      this.transport === 'kafka' ? 'disabled by configuration' : relayOffReason(this.transport);
    return { enabled: false, transport: this.transport, disabledReason };
  }
}
