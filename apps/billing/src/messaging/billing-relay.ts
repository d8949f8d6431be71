// Publishes the public billing events (schedules, profiles, charge lines, invoices, period
// closes) to plafond.billing.events.v1 through the ledger's relay (at-least-once, per-key order,
// CloudEvent id = ledger event id, record key = metadata.partitionKey), started with the app.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BILLING_EVENTS_SOURCE } from '@plafond/contracts';
import {
  EVENT_STORE,
  KafkaRelay,
  type EventStore,
  type SubscriptionLag,
  type SubscriptionStatus,
} from '@plafond/ledger';
import {
  BackgroundStart,
  JsonLogger,
  KafkaClients,
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
export class BillingRelay implements OnApplicationBootstrap, OnModuleDestroy {
  readonly relay: KafkaRelay;
  readonly topic: string;
  private readonly starter: BackgroundStart;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    logger: JsonLogger,
    @Inject(BILLING_MESSAGING_SETTINGS) private readonly settings: BillingMessagingSettings,
  ) {
    this.topic = settings.billingEventsTopic;
    // The relay owns its idempotent producer and disconnects it in stop().
    this.relay = new KafkaRelay({
      ...settings.relay,
      store,
      schema: settings.schema,
      kafka: clients.kafka,
      source: BILLING_EVENTS_SOURCE,
      route: billingEventRouter(this.topic),
      mode: 'binary',
      name: settings.relayName,
      logger: subscriptionLogger(logger, 'BillingRelay'),
    });
    this.starter = new BackgroundStart({
      name: 'billing relay',
      start: () => this.relay.start(),
      stop: () => this.relay.stop(),
      // A logically restored database: publishing would skip events; an operator must act.
      isFatal: (error) =>
        (error as { code?: unknown } | null)?.code === 'LEDGER.TRANSACTION_IDS_BEHIND',
      logger,
      retry: settings.startRetry,
    });
  }

  get enabled(): boolean {
    return this.settings.enable.relay;
  }

  onApplicationBootstrap(): void {
    if (this.settings.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts in the background (restore guard, producer connection, then the polling loop). */
  start(): void {
    if (this.enabled) this.starter.begin();
  }

  /** Waits for the batch in flight (acked and checkpointed, or rolled back), then disconnects. */
  stop(): Promise<void> {
    return this.starter.end();
  }

  /** Skips the idle wait: call after an in-process append to publish sooner. */
  wake(): void {
    this.relay.wake();
  }

  status(): BillingRelayStatus {
    return {
      ...this.starter.status(),
      enabled: this.enabled,
      topic: this.topic,
      subscription: this.relay.status(),
    };
  }

  /** Ledger events not yet published (see docs/ledger-subscriptions.md, Operations). */
  lag(): Promise<SubscriptionLag> {
    return this.relay.lag();
  }
}
