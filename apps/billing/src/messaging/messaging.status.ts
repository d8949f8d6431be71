import { Injectable } from '@nestjs/common';
import type { SubscriptionLag } from '@plafond/ledger';
import {
  AllocationEventsConsumer,
  type AllocationEventsConsumerStatus,
} from './allocation-events.consumer';
import { BillingRelay, type BillingRelayStatus } from './billing-relay';
import { DeadLetters } from '@plafond/platform';
import { UsageRecordedConsumer, type UsageRecordedConsumerStatus } from './usage-recorded.consumer';

export interface BillingMessagingReport {
  relay: BillingRelayStatus & { lag: SubscriptionLag | { error: string } };
  usageConsumer: UsageRecordedConsumerStatus;
  allocationConsumer: AllocationEventsConsumerStatus;
  deadLetters: { count: number };
}

/** What the Kafka edge is doing, for GET /v1/admin/messaging. */
@Injectable()
export class BillingMessagingStatus {
  constructor(
    private readonly relay: BillingRelay,
    private readonly usageConsumer: UsageRecordedConsumer,
    private readonly allocationConsumer: AllocationEventsConsumer,
    private readonly deadLetters: DeadLetters,
  ) {}

  async report(): Promise<BillingMessagingReport> {
    const [lag, count] = await Promise.all([
      this.relay.lag().catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      })),
      this.deadLetters.count(),
    ]);
    return {
      relay: { ...this.relay.status(), lag },
      usageConsumer: this.usageConsumer.status(),
      allocationConsumer: this.allocationConsumer.status(),
      deadLetters: { count },
    };
  }
}
