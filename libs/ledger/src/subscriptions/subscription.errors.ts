/** Stable codes for failures raised by subscriptions, the relay, the inbox and replay. */
export type SubscriptionErrorCode =
  | 'CONFIG.INVALID'
  | 'LEDGER.SUBSCRIPTION_CHECKPOINT_CONFLICT'
  | 'LEDGER.SUBSCRIPTION_INVARIANT'
  | 'LEDGER.SUBSCRIPTION_STOPPED'
  | 'LEDGER.TRANSACTION_IDS_BEHIND'
  | 'LEDGER.RELAY_PUBLISH_FAILED'
  | 'LEDGER.INBOX_INVALID_KEY'
  | 'LEDGER.REPLAY_TARGET_EXISTS'
  | 'LEDGER.REPLAY_DUMP_UNORDERED'
  | 'LEDGER.REPLAY_BOUND_EXCEEDED';

export class SubscriptionError extends Error {
  constructor(
    readonly code: SubscriptionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'SubscriptionError';
  }
}
