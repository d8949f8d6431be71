import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SubscriptionLag } from '@plafond/ledger';
import {
  AllocationEventsConsumer,
  type AllocationEventsConsumerStatus,
} from './allocation-events.consumer';
import { BillingRelay, type BillingRelayStatus } from './billing-relay';
import { MESSAGE_TRANSPORT, transportKind, type MessageTransport } from '@plafond/messaging';
import { DeadLetters } from '@plafond/platform';
import { UsageRecordedConsumer, type UsageRecordedConsumerStatus } from './usage-recorded.consumer';

export interface BillingMessagingReport {
  /** How events travel: `kafka` (distributed) or `ledger-log` (embedded, ledgers read in place). */
  transport: MessageTransport['kind'];
  relay: BillingRelayStatus & { lag: SubscriptionLag | { error: string } };
  /** Under ledger-log, each consumer's `lag`: billing's reading of the producer's ledger. */
  usageConsumer: UsageRecordedConsumerStatus & { lag?: SubscriptionLag | { error: string } };
  allocationConsumer: AllocationEventsConsumerStatus & {
    lag?: SubscriptionLag | { error: string };
  };
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
    @Optional() @Inject(MESSAGE_TRANSPORT) private readonly transport?: MessageTransport,
  ) {}

  async report(): Promise<BillingMessagingReport> {
    const [lag, usageLag, allocationLag, count] = await Promise.all([
      this.relay.lag().catch(lagError),
      this.usageConsumer.lag().catch(lagError),
      this.allocationConsumer.lag().catch(lagError),
      this.deadLetters.count(),
    ]);
    return {
      transport: transportKind(this.transport),
      relay: { ...this.relay.status(), lag },
      usageConsumer: {
        ...this.usageConsumer.status(),
        ...(usageLag === null ? {} : { lag: usageLag }),
      },
      allocationConsumer: {
        ...this.allocationConsumer.status(),
        ...(allocationLag === null ? {} : { lag: allocationLag }),
      },
      deadLetters: { count },
    };
  }
}

const lagError = (error: unknown) => ({
  error: error instanceof Error ? error.message : String(error),
});
