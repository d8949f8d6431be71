// The relay edge every service runs, with the transport choice made once: under Kafka it runs
// the service's KafkaRelay; under any other transport the other services read this ledger in
// place, so it runs an idle relay, disabled (no kafkajs producer is created), and its status
// says why. The service only says how to build its KafkaRelay (topics, source, router).
import type { SubscriptionLag, SubscriptionStatus } from '@plafond/ledger';
import {
  RelayEdge,
  type EdgeStatus,
  type RelayEdgeOptions,
  type RelayLike,
} from '@plafond/platform';
import { idleRelay, relayOffReason } from './idle-relay';
import { transportKind, type MessageTransport } from './message-transport';

/** The part of a relay's status every service shares. */
export interface TransportRelayStatus extends EdgeStatus {
  enabled: boolean;
  transport: MessageTransport['kind'];
  /** Why the relay does not run, when disabled. */
  disabledReason?: string;
  /** The relay's subscription: state, checkpoint, events published, last error. */
  subscription: SubscriptionStatus;
}

export interface TransportRelayEdgeOptions extends RelayEdgeOptions {
  /** The injected transport; none means Kafka (every existing process and test). */
  transport: MessageTransport | undefined;
  /** The relay's checkpoint name, shown by the idle relay too (default `kafka-relay`). */
  relayName: string | undefined;
  /** Builds the service's KafkaRelay; called only under the Kafka transport. */
  kafkaRelay: () => RelayLike<SubscriptionStatus, SubscriptionLag>;
}

export class TransportRelayEdge extends RelayEdge<SubscriptionStatus, SubscriptionLag> {
  readonly transport: MessageTransport['kind'];

  constructor(options: TransportRelayEdgeOptions) {
    const { transport, relayName, kafkaRelay, enabled, ...edge } = options;
    const kind = transportKind(transport);
    // The KafkaRelay owns its idempotent producer and disconnects it in stop().
    const relay = kind === 'kafka' ? kafkaRelay() : idleRelay(relayOffReason(kind), relayName);
    // Under another transport the consumers read this ledger in place: nothing to publish.
    super(relay, { ...edge, enabled: (enabled ?? true) && kind === 'kafka' });
    this.transport = kind;
  }

  /** The shared status: the background start, whether it runs and why not, the subscription. */
  protected transportStatus(): TransportRelayStatus {
    return { ...this.edgeStatus(), ...this.why() };
  }

  private why(): Pick<TransportRelayStatus, 'enabled' | 'transport' | 'disabledReason'> {
    if (this.enabled) return { enabled: true, transport: this.transport };
    const disabledReason =
      this.transport === 'kafka' ? 'disabled by configuration' : relayOffReason(this.transport);
    return { enabled: false, transport: this.transport, disabledReason };
  }
}
