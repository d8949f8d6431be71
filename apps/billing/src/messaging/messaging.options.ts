import type { ModuleMetadata } from '@nestjs/common';
import { TOPICS, topicName } from '@plafond/contracts';
import type { SubscriptionTuning } from '@plafond/ledger';
import type { RetryTuning } from '@plafond/platform';
import type { ConsumerConfig } from 'kafkajs';
import type { BillingConfig } from '../config';

export const BILLING_MESSAGING_SETTINGS = Symbol('plafond.billing.MESSAGING_SETTINGS');

export interface BillingMessagingModuleOptions {
  /** Modules providing `UsageCharging` and `BillingDirectory` (BillingApplicationModule), unless global. */
  imports?: ModuleMetadata['imports'];
  /** Prefix of the catalog's topic names; default the configured KAFKA_TOPIC_PREFIX. */
  topicPrefix?: string;
  /** Topic names, each overriding the catalog's name with the prefix. */
  topics?: { usageRecorded?: string; allocationEvents?: string; billingEvents?: string };
  /**
   * Prefix of the consumer groups `<groupPrefix>.usage` and `<groupPrefix>.allocation`; default
   * the configured KAFKA_CLIENT_ID (`plafond-billing`).
   */
  groupPrefix?: string;
  /** Group ids, each overriding `<groupPrefix>.…`. */
  usageGroupId?: string;
  allocationGroupId?: string;
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /** Which pieces exist and start (all default true); a disabled piece reports `disabled`. */
  enable?: { relay?: boolean; usageConsumer?: boolean; allocationConsumer?: boolean };
  /** Name of the relay's checkpoint; default `kafka-relay`. */
  relayName?: string;
  relay?: SubscriptionTuning & { ackTimeoutMs?: number };
  /** Retries of the start (broker unreachable at boot). */
  startRetry?: RetryTuning;
  /** Start the enabled pieces on application bootstrap (default true). */
  autoStart?: boolean;
}

export interface BillingMessagingSettings {
  usageRecordedTopic: string;
  allocationEventsTopic: string;
  billingEventsTopic: string;
  usageGroupId: string;
  allocationGroupId: string;
  consumerConfig: Omit<ConsumerConfig, 'groupId'>;
  enable: { relay: boolean; usageConsumer: boolean; allocationConsumer: boolean };
  relayName: string | undefined;
  relay: SubscriptionTuning & { ackTimeoutMs?: number };
  startRetry: RetryTuning;
  autoStart: boolean;
  /** The service schema: inbox, relay checkpoint, dead letters. */
  schema: string;
}

export function resolveBillingMessagingSettings(
  config: BillingConfig,
  options: BillingMessagingModuleOptions,
): BillingMessagingSettings {
  const prefix = options.topicPrefix ?? config.kafkaTopicPrefix;
  const groupPrefix = options.groupPrefix ?? config.kafkaClientId;
  return {
    usageRecordedTopic: options.topics?.usageRecorded ?? topicName(TOPICS.usageRecorded, prefix),
    allocationEventsTopic:
      options.topics?.allocationEvents ?? topicName(TOPICS.allocationEvents, prefix),
    billingEventsTopic: options.topics?.billingEvents ?? topicName(TOPICS.billingEvents, prefix),
    usageGroupId: options.usageGroupId ?? `${groupPrefix}.usage`,
    allocationGroupId: options.allocationGroupId ?? `${groupPrefix}.allocation`,
    consumerConfig: options.consumerConfig ?? {},
    enable: {
      relay: options.enable?.relay ?? true,
      usageConsumer: options.enable?.usageConsumer ?? true,
      allocationConsumer: options.enable?.allocationConsumer ?? true,
    },
    relayName: options.relayName,
    relay: options.relay ?? {},
    startRetry: options.startRetry ?? {},
    autoStart: options.autoStart ?? true,
    schema: config.databaseSchema,
  };
}
