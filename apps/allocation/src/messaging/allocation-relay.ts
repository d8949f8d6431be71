// Publishes the public allocation events to Kafka through the ledger's relay (at-least-once,
// per-key order, CloudEvent id = ledger event id), started with the application.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ALLOCATION_EVENTS_SOURCE } from '@plafond/contracts';
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
import { AllocationConfig } from '../config';
import { allocationEventRouter } from './allocation-event-routes';
import { ALLOCATION_RELAY_MODE } from './ledger-log-producer';
import { MESSAGING_SETTINGS, type MessagingSettings } from './messaging.options';

export interface AllocationRelayStatus extends EdgeStatus {
  enabled: boolean;
  transport: MessageTransport['kind'];
  /** Why the relay does not run, when disabled. */
  disabledReason?: string;
  topic: string;
  /** The relay's subscription: state, checkpoint, events published, last error. */
  subscription: SubscriptionStatus;
}

@Injectable()
export class AllocationRelay extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly transport: MessageTransport['kind'];
  readonly topic: string;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: AllocationConfig,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(MESSAGING_SETTINGS) settings: MessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    const kind = (transport ?? MessageTransport.kafka()).kind;
    const topic = settings.allocationEventsTopic;
    // The relay owns its idempotent producer and disconnects it in stop().
    const relay =
      kind === 'kafka'
        ? new KafkaRelay({
            ...settings.relay,
            store,
            schema: config.databaseSchema,
            kafka: clients.kafka,
            source: ALLOCATION_EVENTS_SOURCE,
            route: allocationEventRouter(topic),
            mode: ALLOCATION_RELAY_MODE,
            name: settings.relayName,
            logger: subscriptionLogger(logger, 'AllocationRelay'),
          })
        : idleRelay(relayOffReason(kind), settings.relayName);
    super(relay, {
      name: 'allocation relay',
      logger,
      retry: settings.startRetry,
      autoStart: settings.autoStart,
      // Under ledger-log the consumers read this ledger in place: nothing to publish, no broker.
      enabled: kind === 'kafka',
    });
    this.topic = topic;
    this.transport = kind;
  }

  status(): AllocationRelayStatus {
    return { ...this.edgeStatus(), ...this.why(), topic: this.topic };
  }

  private why(): Pick<AllocationRelayStatus, 'enabled' | 'transport' | 'disabledReason'> {
    if (this.enabled) return { enabled: true, transport: this.transport };
    const disabledReason =
      this.transport === 'kafka' ? 'disabled by configuration' : relayOffReason(this.transport);
    return { enabled: false, transport: this.transport, disabledReason };
  }
}
