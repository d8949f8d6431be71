// Reading one record of plafond.usage.recorded.v1: a CloudEvent (binary or structured) of type
// org.plafond.usage.recorded.v1 or org.plafond.usage.adjusted.v1 whose data passes the
// contract's strict validator. Anything else is a dead letter.
import {
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  decodeKafkaMessage,
  validateUsageAdjustedV1,
  validateUsageRecordedV1,
  type CloudEvent,
  type ContractIssue,
  type KafkaMessageLike,
  type UsageAdjustedV1Json,
  type UsageRecordedV1,
} from '@plafond/contracts';
import { BILLING_ERROR, BillingError } from '../domain/errors';

/** What went wrong with a record, in `details.reason` of its BILLING.INVALID_MESSAGE. */
export const USAGE_MESSAGE_PROBLEM = {
  unexpectedType: 'unexpected_type',
  invalidData: 'invalid_data',
} as const;

export type UsageTopicMessage =
  | {
      readonly kind: 'recorded';
      /** Inbox key and usage id: the CloudEvent's `source#id`. */
      readonly messageId: string;
      readonly event: CloudEvent;
      readonly usage: UsageRecordedV1;
    }
  | {
      readonly kind: 'adjusted';
      /** Inbox key and adjustment id: the CloudEvent's `source#id`. */
      readonly messageId: string;
      readonly event: CloudEvent;
      readonly adjustment: UsageAdjustedV1Json;
    };

function rejected(
  reason: string,
  message: string,
  type: string,
  issues?: readonly ContractIssue[],
): BillingError {
  return new BillingError(BILLING_ERROR.INVALID_MESSAGE, message, {
    reason,
    type,
    ...(issues === undefined
      ? {}
      : { issues: issues.map(({ path, code, message: text }) => ({ path, code, message: text })) }),
  });
}

function invalidData(type: string, issues: readonly ContractIssue[]): BillingError {
  const first = issues[0];
  const summary = first === undefined ? '' : `: ${first.path} ${first.message}`;
  return rejected(
    USAGE_MESSAGE_PROBLEM.invalidData,
    `invalid ${type} data${summary}`,
    type,
    issues,
  );
}

/**
 * Decodes and validates a record. Throws `CloudEventValidationError` (`CLOUDEVENT.INVALID`) for
 * a record that is not a CloudEvent, `BillingError` `BILLING.INVALID_MESSAGE` for another type
 * or data that breaks the contract.
 */
export function readUsageTopicMessage(message: KafkaMessageLike): UsageTopicMessage {
  const event = decodeKafkaMessage(message);
  const messageId = `${event.source}#${event.id}`;
  if (event.type === USAGE_RECORDED_V1_TYPE) {
    const result = validateUsageRecordedV1(event.data);
    if (!result.ok) throw invalidData(event.type, result.issues);
    return { kind: 'recorded', messageId, event, usage: result.value };
  }
  if (event.type === USAGE_ADJUSTED_V1_TYPE) {
    const result = validateUsageAdjustedV1(event.data);
    if (!result.ok) throw invalidData(event.type, result.issues);
    return { kind: 'adjusted', messageId, event, adjustment: result.value };
  }
  throw rejected(
    USAGE_MESSAGE_PROBLEM.unexpectedType,
    `expected a ${USAGE_RECORDED_V1_TYPE} or ${USAGE_ADJUSTED_V1_TYPE} event, got ${event.type}`,
    event.type,
  );
}
