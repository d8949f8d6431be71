// Reading one record of the raw usage topic into a pipeline item. Never throws: a record that is
// not a CloudEvent becomes an `unreadable` item carrying its value bytes and the reasons, so it
// is recorded as UsageRejected (and reaches the rejected topic) and the partition moves on.
import {
  CloudEventValidationError,
  decodeKafkaMessage,
  type CloudEvent,
  type ContractIssue,
  type KafkaMessageLike,
} from '@plafond/contracts';
import type { IncomingUsage } from '../application';

export type RawUsageRecord =
  | { readonly kind: 'event'; readonly event: CloudEvent }
  | { readonly kind: 'unreadable'; readonly item: IncomingUsage & { format: 'unreadable' } };

export function readRawUsageRecord(message: KafkaMessageLike): RawUsageRecord {
  try {
    return { kind: 'event', event: decodeKafkaMessage(message) };
  } catch (error) {
    if (!(error instanceof CloudEventValidationError)) throw error;
    const issues: readonly ContractIssue[] = error.issues;
    const value =
      message.value === null || message.value === undefined
        ? Buffer.alloc(0)
        : typeof message.value === 'string'
          ? Buffer.from(message.value, 'utf8')
          : message.value;
    return { kind: 'unreadable', item: { format: 'unreadable', payload: value, issues } };
  }
}
