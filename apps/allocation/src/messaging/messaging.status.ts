import { Injectable } from '@nestjs/common';
import type { SubscriptionLag } from '@plafond/ledger';
import { AllocationRelay, type AllocationRelayStatus } from './allocation-relay';
import { DeadLetters } from '@plafond/platform';
import { UsageRecordedConsumer, type UsageConsumerStatus } from './usage-recorded.kafka.controller';

export interface MessagingReport {
  relay: AllocationRelayStatus & { lag: SubscriptionLag | { error: string } };
  usageConsumer: UsageConsumerStatus;
  deadLetters: { count: number };
}

/** What the Kafka edge is doing, for the admin/health endpoints. */
@Injectable()
export class MessagingStatus {
  constructor(
    private readonly relay: AllocationRelay,
    private readonly usageConsumer: UsageRecordedConsumer,
    private readonly deadLetters: DeadLetters,
  ) {}

  async report(): Promise<MessagingReport> {
    const [lag, count] = await Promise.all([
      this.relay.lag().catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      })),
      this.deadLetters.count(),
    ]);
    return {
      relay: { ...this.relay.status(), lag },
      usageConsumer: this.usageConsumer.status(),
      deadLetters: { count },
    };
  }
}
