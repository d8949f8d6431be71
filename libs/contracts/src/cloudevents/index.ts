export {
  CLOUDEVENT_LIMITS,
  CLOUDEVENTS_BATCH_CONTENT_TYPE,
  CLOUDEVENTS_JSON_CONTENT_TYPE,
  CLOUDEVENTS_SPEC_VERSION,
  CORE_ATTRIBUTES,
  CloudEventAttributesDto,
  type CloudEvent,
  type CloudEventContext,
} from './cloud-event';
export {
  CLOUDEVENT_ISSUE,
  CloudEventValidationError,
  type CloudEventIssue,
  type CloudEventIssueCode,
} from './cloud-event.errors';
export {
  cloudEventExtensions,
  createCloudEvent,
  validateCloudEvent,
  type CloudEventExtensionValue,
  type CloudEventInit,
} from './validate-cloud-event';
export {
  parseCloudEventJson,
  parseCloudEventsBatch,
  serializeCloudEventJson,
  toCloudEventJsonObject,
  type BatchOptions,
  type CloudEventBatchItem,
} from './json-format';
export {
  decodeKafkaMessage,
  encodeKafkaMessage,
  type EncodedKafkaMessage,
  type KafkaContentMode,
  type KafkaHeaderValue,
  type KafkaMessageLike,
} from './kafka-binding';
