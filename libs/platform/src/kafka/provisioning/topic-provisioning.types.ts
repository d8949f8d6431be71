import { PlafondError } from '../../errors/plafond-error';

/**
 * What provisioning needs to know about a topic. `TopicSpec` from `@plafond/contracts` satisfies
 * it structurally, so this folder does not depend on the catalogue and tests can pass their own.
 */
export interface ProvisionableTopicSpec {
  /** Versioned name without the environment prefix, e.g. `plafond.usage.recorded.v1`. */
  readonly name: string;
  readonly partitions: number;
  /** `-1` keeps records forever. */
  readonly retentionMs: number;
  readonly cleanupPolicy: 'delete' | 'compact';
}

export interface ProvisionTopicsOptions {
  /** Prepended to every name, e.g. a test run's `t-<run>-<label>.`; empty in production. */
  readonly prefix?: string;
  /** Defaults to min(3, brokers in the cluster): 1 on a laptop, 3 on a real cluster. */
  readonly replicationFactor?: number;
  /** Broker-side timeout of each create or alter request. */
  readonly timeoutMs?: number;
  readonly clientId?: string;
}

export interface ConfigChange {
  readonly name: string;
  /** Undefined when the broker did not report the entry. */
  readonly from: string | undefined;
  readonly to: string;
}

export type TopicProvisionAction = 'created' | 'updated' | 'unchanged';

export interface TopicProvisionResult {
  readonly topic: string;
  readonly action: TopicProvisionAction;
  /** Partition count once provisioning is done. */
  readonly partitions: number;
  /** Set when partitions were raised. */
  readonly partitionsBefore?: number;
  readonly configChanges: readonly ConfigChange[];
  /** Differences provisioning must not fix on its own, e.g. more partitions than the spec. */
  readonly warnings: readonly string[];
}

export interface ProvisionReport {
  readonly topics: readonly TopicProvisionResult[];
  /** True when at least one topic was created or updated. */
  readonly changed: boolean;
}

export type TopicProvisioningErrorCode = 'KAFKA.TOPIC_SPEC_INVALID' | 'KAFKA.PROVISIONING_FAILED';

/** Not a client's fault when it ends a request: a bad catalogue or an unreachable cluster. */
export class TopicProvisioningError extends PlafondError {
  declare readonly code: TopicProvisioningErrorCode;

  constructor(
    code: TopicProvisioningErrorCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${code}: ${detail}`, undefined, 500);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
