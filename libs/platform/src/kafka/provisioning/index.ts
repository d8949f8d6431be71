export { provisionTopics } from './provision-topics';
export { formatProvisionReport } from './format-provision-report';
export { TOPIC_PROVISIONING_LIMITS } from './topic-plan';
export {
  type ConfigChange,
  type ProvisionReport,
  type ProvisionTopicsOptions,
  type ProvisionableTopicSpec,
  type TopicProvisionAction,
  type TopicProvisionResult,
  TopicProvisioningError,
  type TopicProvisioningErrorCode,
} from './topic-provisioning.types';
