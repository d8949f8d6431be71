import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { TOPICS, topicName } from '@plafond/contracts';
import type { SubscriptionTuning } from '@plafond/ledger';
import type { ConsumerConfig } from 'kafkajs';
import type { IngestionCaller } from '../application';
import type { IngestionConfig } from '../config';
import type { RetryTuning } from '@plafond/platform';

/** Who may write a CloudEvents `source` on the raw topic (I2's IntegratorService implements it). */
export interface IntegratorLookup {
  /** null: no integrator has this source, or it is disabled. */
  callerForSource(source: string): Promise<IngestionCaller | null>;
}

export const INTEGRATOR_LOOKUP = Symbol('plafond.ingestion.INTEGRATOR_LOOKUP');
export const INGESTION_MESSAGING_SETTINGS = Symbol('plafond.ingestion.MESSAGING_SETTINGS');

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IngestionMessagingModuleOptions {
  /** Class or token providing `IntegratorLookup` (the integrators' IntegratorService). */
  integratorLookup: InjectionToken;
  /** Modules providing `INTEGRATOR_LOOKUP` (and the application), unless they are global. */
  imports?: ModuleMetadata['imports'];
  /** Topic names; default the catalog's, with the configured KAFKA_TOPIC_PREFIX. */
  topics?: {
    usageRaw?: string;
    usageRecorded?: string;
    usageRejected?: string;
    allocationEvents?: string;
  };
  /** Consumer groups; default `${kafkaClientId}.usage-raw` and `${kafkaClientId}.allocation`. */
  rawGroupId?: string;
  allocationGroupId?: string;
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /** Name of the relay's checkpoint; default `kafka-relay`. */
  relayName?: string;
  relay?: SubscriptionTuning & { ackTimeoutMs?: number };
  startRetry?: RetryTuning;
  /** Period of `pruneDedup`; default one day. 0 disables the timer. */
  pruneIntervalMs?: number;
  /** Start the relay, the consumers and the prune timer on bootstrap (default true). */
  autoStart?: boolean;
}

export interface IngestionMessagingSettings {
  usageRawTopic: string;
  usageRecordedTopic: string;
  usageRejectedTopic: string;
  allocationEventsTopic: string;
  rawGroupId: string;
  allocationGroupId: string;
  consumerConfig: Omit<ConsumerConfig, 'groupId'>;
  relayName: string | undefined;
  relay: SubscriptionTuning & { ackTimeoutMs?: number };
  startRetry: RetryTuning;
  pruneIntervalMs: number;
  autoStart: boolean;
}

export function resolveIngestionMessagingSettings(
  config: IngestionConfig,
  options: IngestionMessagingModuleOptions,
): IngestionMessagingSettings {
  const prefix = config.kafkaTopicPrefix;
  return {
    usageRawTopic: options.topics?.usageRaw ?? topicName(TOPICS.usageRaw, prefix),
    usageRecordedTopic: options.topics?.usageRecorded ?? topicName(TOPICS.usageRecorded, prefix),
    usageRejectedTopic: options.topics?.usageRejected ?? topicName(TOPICS.usageRejected, prefix),
    allocationEventsTopic:
      options.topics?.allocationEvents ?? topicName(TOPICS.allocationEvents, prefix),
    rawGroupId: options.rawGroupId ?? `${config.kafkaClientId}.usage-raw`,
    allocationGroupId: options.allocationGroupId ?? `${config.kafkaClientId}.allocation`,
    consumerConfig: options.consumerConfig ?? {},
    relayName: options.relayName,
    relay: options.relay ?? {},
    startRetry: options.startRetry ?? {},
    pruneIntervalMs: options.pruneIntervalMs ?? DAY_MS,
    autoStart: options.autoStart ?? true,
  };
}
