import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SubscriptionLag } from '@plafond/ledger';
import { AllocationRelay, type AllocationRelayStatus } from './allocation-relay';
import { MESSAGE_TRANSPORT, transportKind, type MessageTransport } from '@plafond/messaging';
import { DeadLetters } from '@plafond/platform';
import { UsageRecordedConsumer, type UsageConsumerStatus } from './usage-recorded.kafka.controller';

export interface MessagingReport {
  /** How events travel: `kafka` (distributed) or `ledger-log` (embedded, ledgers read in place). */
  transport: MessageTransport['kind'];
  relay: AllocationRelayStatus & { lag: SubscriptionLag | { error: string } };
  /** Under ledger-log, `lag`: allocation's reading of the ingestion ledger. */
  usageConsumer: UsageConsumerStatus & { lag?: SubscriptionLag | { error: string } };
  deadLetters: { count: number };
}

/** What the Kafka edge is doing, for the admin/health endpoints. */
@Injectable()
export class MessagingStatus {
  constructor(
    private readonly relay: AllocationRelay,
    private readonly usageConsumer: UsageRecordedConsumer,
    private readonly deadLetters: DeadLetters,
    @Optional() @Inject(MESSAGE_TRANSPORT) private readonly transport?: MessageTransport,
  ) {}

  async report(): Promise<MessagingReport> {
    const [lag, usageLag, count] = await Promise.all([
      this.relay.lag().catch(lagError),
      this.usageConsumer.lag().catch(lagError),
      this.deadLetters.count(),
    ]);
    return {
      transport: transportKind(this.transport),
      relay: { ...this.relay.status(), lag },
      usageConsumer: {
        ...this.usageConsumer.status(),
        ...(usageLag === null ? {} : { lag: usageLag }),
      },
      deadLetters: { count },
    };
  }
}

const lagError = (error: unknown) => ({
  error: error instanceof Error ? error.message : String(error),
});
