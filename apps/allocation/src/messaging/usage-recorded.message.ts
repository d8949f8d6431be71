// Reading one record of plafond.usage.recorded.v1: a CloudEvent (binary or structured) of type
// org.plafond.usage.recorded.v1 whose data passes the contract's strict validator.
import {
  decodeKafkaMessage,
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  validateUsageRecordedV1,
  type CloudEvent,
  type ContractIssue,
  type KafkaMessageLike,
  type UsageRecordedV1,
} from '@plafond/contracts';

export const USAGE_MESSAGE_ERROR = {
  unexpectedType: 'MESSAGING.UNEXPECTED_TYPE',
  invalidData: 'MESSAGING.INVALID_DATA',
} as const;
export type UsageMessageErrorCode = (typeof USAGE_MESSAGE_ERROR)[keyof typeof USAGE_MESSAGE_ERROR];

/** A record that is a CloudEvent but not a valid usage.recorded v1: it goes to dead letters. */
export class UsageMessageRejected extends Error {
  override readonly name = 'UsageMessageRejected';

  constructor(
    readonly code: UsageMessageErrorCode,
    message: string,
    readonly details: { type: string; issues?: readonly ContractIssue[] },
  ) {
    super(message);
  }
}

export interface UsageRecordedMessage {
  /** Inbox key: the CloudEvent's `source#id` (ingestion derives the id from the reported event). */
  messageId: string;
  event: CloudEvent;
  /**
   * null for a type published on the topic that has no effect here (usage.adjusted.v1, a
   * factor-set correction): the consumer acknowledges it without applying anything.
   */
  usage: UsageRecordedV1 | null;
}

/** Types on plafond.usage.recorded.v1 that allocation acknowledges and does not apply. */
export const IGNORED_USAGE_TYPES: readonly string[] = [USAGE_ADJUSTED_V1_TYPE];

/**
 * Decodes and validates a record. Throws `CloudEventValidationError` (`CLOUDEVENT.INVALID`) for
 * a record that is not a CloudEvent, `UsageMessageRejected` for another type or invalid data.
 */
export function readUsageRecordedMessage(message: KafkaMessageLike): UsageRecordedMessage {
  const event = decodeKafkaMessage(message);
  if (IGNORED_USAGE_TYPES.includes(event.type)) {
    return { messageId: `${event.source}#${event.id}`, event, usage: null };
  }
  if (event.type !== USAGE_RECORDED_V1_TYPE) {
    throw new UsageMessageRejected(
      USAGE_MESSAGE_ERROR.unexpectedType,
      `expected a ${USAGE_RECORDED_V1_TYPE} event, got ${event.type}`,
      { type: event.type },
    );
  }
  const result = validateUsageRecordedV1(event.data);
  if (!result.ok) {
    const first = result.issues[0];
    const summary = first === undefined ? '' : `: ${first.path} ${first.message}`;
    throw new UsageMessageRejected(
      USAGE_MESSAGE_ERROR.invalidData,
      `invalid ${USAGE_RECORDED_V1_TYPE} data${summary}`,
      { type: event.type, issues: result.issues },
    );
  }
  return { messageId: `${event.source}#${event.id}`, event, usage: result.value };
}
