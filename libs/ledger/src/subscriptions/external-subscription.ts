import type { EventStore, RecordedEvent } from '../types';
import { Subscription, type BatchContext, type SubscriptionHooks } from './subscription';
import type { SubscriptionLogger } from './subscription.logger';
import type { SubscriptionTuning } from './subscription.settings';

export interface ExternalSubscriptionOptions extends SubscriptionTuning {
  name: string;
  store: EventStore;
  /** Ledger schema holding the checkpoints. */
  schema: string;
  /** Must resolve only once the effect is durable elsewhere (e.g. broker acknowledged). */
  handle: (events: readonly RecordedEvent[], context: BatchContext) => Promise<void>;
  hooks?: SubscriptionHooks;
  logger?: SubscriptionLogger;
}

/** At-least-once delivery to an outside system: the checkpoint moves only after `handle` resolved. */
export function createExternalSubscription(options: ExternalSubscriptionOptions): Subscription {
  const { handle, ...rest } = options;
  return new Subscription({ ...rest, handler: { kind: 'external', handle } });
}
