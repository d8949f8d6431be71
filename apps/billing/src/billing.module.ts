import { Module } from '@nestjs/common';

/**
 * The billing service's own features. Configuration, logging, PostgreSQL, Kafka, health and error
 * mapping come from PlatformModule, which bootstrapService imports next to this module.
 */
@Module({})
export class BillingModule {}
