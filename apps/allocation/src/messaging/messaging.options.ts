import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { TOPICS, topicName } from '@plafond/contracts';
import type { SubscriptionTuning } from '@plafond/ledger';
import type { ConsumerConfig } from 'kafkajs';
import type { AllocationConfig } from '../config';
import type { RetryTuning } from '@plafond/platform';

export interface MessagingModuleOptions {
  /** What applies a recorded usage (a `UsageDebitsPort`): the application's `UsageDebits`. */
  usageDebits: InjectionToken;
  /** Modules providing it (the ApplicationModule), unless it is global. */
  imports?: ModuleMetadata['imports'];
  /** Topic names; default the catalog's, with the configured KAFKA_TOPIC_PREFIX. */
  topics?: { allocationEvents?: string; usageRecorded?: string };
  /** Consumer group of the usage consumer; default `${kafkaClientId}.usage`. */
  usageGroupId?: string;
  /** Where a new group starts; default true (every recorded usage must be debited). */
  usageFromBeginning?: boolean;
  usageConsumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /** Name of the relay's checkpoint; default `kafka-relay`. */
  relayName?: string;
  relay?: SubscriptionTuning & { ackTimeoutMs?: number };
  /** Retries of the start (broker unreachable at boot). */
  startRetry?: RetryTuning;
  /** Start the relay and the consumer on application bootstrap (default true). */
  autoStart?: boolean;
}

export interface MessagingSettings {
  allocationEventsTopic: string;
  usageRecordedTopic: string;
  usageGroupId: string;
  usageFromBeginning: boolean;
  usageConsumerConfig: Omit<ConsumerConfig, 'groupId'>;
  relayName: string | undefined;
  relay: SubscriptionTuning & { ackTimeoutMs?: number };
  startRetry: RetryTuning;
  autoStart: boolean;
}

export const MESSAGING_SETTINGS = Symbol('plafond.allocation.MESSAGING_SETTINGS');

export function resolveMessagingSettings(
  config: AllocationConfig,
  options: MessagingModuleOptions,
): MessagingSettings {
  return {
    allocationEventsTopic:
      options.topics?.allocationEvents ??
      topicName(TOPICS.allocationEvents, config.kafkaTopicPrefix),
    usageRecordedTopic:
      options.topics?.usageRecorded ?? topicName(TOPICS.usageRecorded, config.kafkaTopicPrefix),
    usageGroupId: options.usageGroupId ?? `${config.kafkaClientId}.usage`,
    usageFromBeginning: options.usageFromBeginning ?? true,
    usageConsumerConfig: options.usageConsumerConfig ?? {},
    relayName: options.relayName,
    relay: options.relay ?? {},
    startRetry: options.startRetry ?? {},
    autoStart: options.autoStart ?? true,
  };
}
