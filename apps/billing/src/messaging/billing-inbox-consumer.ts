// What billing's two inbox consumers (usage.recorded, allocation events) share: a ledger inbox
// consumer on one topic, read from the start of the topic by a new group, made by KafkaClients
// (so shutdown disconnects it after the record in hand), started in the background while the
// broker is unreachable, and whose permanently refused records go to the dead letters.
import {
  Inbox,
  createInboxKafkaConsumer,
  type EventStore,
  type InboxKafkaMessage,
  type TransactionalEventStore,
} from '@plafond/ledger';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import {
  BackgroundStart,
  JsonLogger,
  KafkaClients,
  subscriptionLogger,
  type DeadLetters,
  type EdgeStatus,
} from '@plafond/platform';
import type { KafkaMessage } from 'kafkajs';
import type { BillingMessagingSettings } from './messaging.options';

/** What both consumers are injected with. */
export interface BillingInboxConsumerDeps {
  store: EventStore;
  clients: KafkaClients;
  logger: JsonLogger;
  settings: BillingMessagingSettings;
  deadLetters: DeadLetters;
}

export interface BillingInboxConsumerOptions {
  /** Background start name, e.g. `billing usage.recorded consumer`. */
  name: string;
  /** Logger context of the subscription, e.g. `BillingUsageRecordedConsumer`. */
  loggerContext: string;
  /** False: nothing is created, start and stop do nothing (`settings.enable`). */
  enabled: boolean;
  topic: string;
  groupId: string;
  /** The inbox key; default the CloudEvent `source#id`. */
  messageId?: (message: KafkaMessage) => string;
  handle(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void>;
  isPermanentFailure(error: unknown): boolean;
  /** Called once a record's dead letter is stored (for the consumer's counts). */
  onDeadLettered(): void;
}

export interface BillingInboxConsumerEdge {
  /** Joins the group in the background (retrying while the broker is unreachable). */
  start(): void;
  /** Finishes the record in hand, commits its offset and leaves the group. */
  stop(): Promise<void>;
  status(): EdgeStatus & { enabled: boolean; topic: string; groupId: string };
}

export function billingInboxConsumer(
  deps: BillingInboxConsumerDeps,
  options: BillingInboxConsumerOptions,
): BillingInboxConsumerEdge {
  const { topic, groupId } = options;
  const { settings, logger } = deps;
  let starter: BackgroundStart | null = null;
  if (options.enabled) {
    const inboxConsumer = createInboxKafkaConsumer({
      consumer: deps.clients.consumer({ ...settings.consumerConfig, groupId }),
      groupId,
      topics: [topic],
      // Every record matters (usage to charge, units, use cases, debits): a new group reads the
      // topic from its start.
      fromBeginning: true,
      inbox: new Inbox({ store: deps.store, schema: settings.schema }),
      messageId: options.messageId,
      handle: (delivery, tx) => options.handle(delivery, tx),
      onInvalidMessage: async (delivery, error) => {
        await deps.deadLetters.record({
          consumer: groupId,
          topic: delivery.topic,
          partition: delivery.partition,
          message: delivery.message,
          error,
        });
        options.onDeadLettered();
      },
      isPermanentFailure: (error) => options.isPermanentFailure(error),
      logger: subscriptionLogger(logger, options.loggerContext),
    });
    starter = new BackgroundStart({
      name: options.name,
      start: () => inboxConsumer.start(),
      stop: () => inboxConsumer.stop(),
      logger,
      retry: settings.startRetry,
    });
  }
  return {
    start: () => starter?.begin(),
    stop: async () => {
      await starter?.end();
    },
    status: () => ({
      ...(starter?.status() ?? { state: 'idle', attempts: 0, lastError: undefined }),
      enabled: starter !== null,
      topic,
      groupId,
    }),
  };
}

/** Nest lifecycle of a billing consumer: started on bootstrap (`autoStart`), stopped on destroy. */
export abstract class BillingInboxConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  protected abstract readonly edge: BillingInboxConsumerEdge;
  protected abstract readonly settings: BillingMessagingSettings;

  onApplicationBootstrap(): void {
    if (this.settings.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Joins the group in the background (retrying while the broker is unreachable). */
  start(): void {
    this.edge.start();
  }

  /** Finishes the record in hand, commits its offset and leaves the group. */
  async stop(): Promise<void> {
    await this.edge.stop();
  }
}
