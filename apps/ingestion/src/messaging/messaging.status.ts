import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SubscriptionLag } from '@plafond/ledger';
import {
  AllocationEventsConsumer,
  type AllocationEventsConsumerStatus,
} from './allocation-events.consumer';
import { MESSAGE_TRANSPORT, transportKind, type MessageTransport } from '@plafond/messaging';
import { DedupPruner, type DedupPrunerStatus } from './dedup-pruner';
import { IngestionRelay, type IngestionRelayStatus } from './ingestion-relay';
import { RawUsageConsumer, type RawUsageConsumerStatus } from './usage-raw.consumer';

export interface IngestionMessagingReport {
  /** How events travel: `kafka` (distributed) or `ledger-log` (embedded, ledgers read in place). */
  transport: MessageTransport['kind'];
  relay: IngestionRelayStatus & { lag: SubscriptionLag | { error: string } };
  rawConsumer: RawUsageConsumerStatus;
  /** Under ledger-log, `lag`: ingestion's reading of the allocation ledger. */
  allocationConsumer: AllocationEventsConsumerStatus & {
    lag?: SubscriptionLag | { error: string };
  };
  dedupPruner: DedupPrunerStatus;
}

/** What the Kafka edge is doing, for an admin endpoint (e.g. GET /v1/admin/messaging). */
@Injectable()
export class IngestionMessagingStatus {
  constructor(
    private readonly relay: IngestionRelay,
    private readonly rawConsumer: RawUsageConsumer,
    private readonly allocationConsumer: AllocationEventsConsumer,
    private readonly pruner: DedupPruner,
    @Optional() @Inject(MESSAGE_TRANSPORT) private readonly transport?: MessageTransport,
  ) {}

  async report(): Promise<IngestionMessagingReport> {
    const [lag, allocationLag] = await Promise.all([
      this.relay.lag().catch(lagError),
      this.allocationConsumer.lag().catch(lagError),
    ]);
    return {
      transport: transportKind(this.transport),
      relay: { ...this.relay.status(), lag },
      rawConsumer: this.rawConsumer.status(),
      allocationConsumer: {
        ...this.allocationConsumer.status(),
        ...(allocationLag === null ? {} : { lag: allocationLag }),
      },
      dedupPruner: this.pruner.status(),
    };
  }
}

const lagError = (error: unknown) => ({
  error: error instanceof Error ? error.message : String(error),
});
