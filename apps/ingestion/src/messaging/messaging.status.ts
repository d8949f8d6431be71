import { Injectable } from '@nestjs/common';
import type { SubscriptionLag } from '@plafond/ledger';
import {
  AllocationEventsConsumer,
  type AllocationEventsConsumerStatus,
} from './allocation-events.consumer';
import { DedupPruner, type DedupPrunerStatus } from './dedup-pruner';
import { IngestionRelay, type IngestionRelayStatus } from './ingestion-relay';
import { RawUsageConsumer, type RawUsageConsumerStatus } from './usage-raw.consumer';

export interface IngestionMessagingReport {
  relay: IngestionRelayStatus & { lag: SubscriptionLag | { error: string } };
  rawConsumer: RawUsageConsumerStatus;
  allocationConsumer: AllocationEventsConsumerStatus;
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
  ) {}

  async report(): Promise<IngestionMessagingReport> {
    const lag = await this.relay.lag().catch((error: unknown) => ({
      error: error instanceof Error ? error.message : String(error),
    }));
    return {
      relay: { ...this.relay.status(), lag },
      rawConsumer: this.rawConsumer.status(),
      allocationConsumer: this.allocationConsumer.status(),
      dedupPruner: this.pruner.status(),
    };
  }
}
