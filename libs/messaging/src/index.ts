export {
  MESSAGE_TRANSPORT,
  MessageTransport,
  MessageTransportModule,
  transportKind,
  type LedgerLogProducerSpec,
  type MessageTransportConfig,
} from './message-transport';
export {
  InboxConsumer,
  createInboxConsumerEdge,
  deadLetterInto,
  type InboxConsumerEdge,
  type InboxConsumerEdgeDeps,
  type InboxConsumerEdgeOptions,
  type InboxConsumerEdgeStatus,
  type LedgerLogReadStatus,
} from './inbox-consumer-edge';
export { idleRelay, relayOffReason } from './idle-relay';
export {
  TransportRelayEdge,
  type TransportRelayEdgeOptions,
  type TransportRelayStatus,
} from './transport-relay-edge';
