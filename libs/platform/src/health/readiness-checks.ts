import { Injectable } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { migrationStatus } from '../database/migrations';
import { KafkaClients } from '../kafka/kafka-clients';

export type CheckDetails = Readonly<Record<string, unknown>>;

/** One dependency readiness waits for. `check` resolves with details when up, throws when not. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<CheckDetails>;
}

export const READINESS_CHECKS = Symbol('plafond:readiness-checks');

/** PostgreSQL answers, and the service's schema has every migration this build lists. */
@Injectable()
export class DatabaseReadiness implements ReadinessCheck {
  readonly name = 'database';

  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<CheckDetails> {
    const { schema } = this.dataSource.options as PostgresConnectionOptions;
    const status = await migrationStatus(this.dataSource);
    if (!status.bookkeeping) {
      throw new Error(`schema "${schema}" has never been migrated; run npm run migrate`);
    }
    if (status.missing.length > 0) {
      throw new Error(
        `schema "${schema}" lacks migrations ${status.missing.join(', ')}; run npm run migrate`,
      );
    }
    return { schema };
  }
}

/** A Kafka broker answers a metadata request (through an admin client kept between probes). */
@Injectable()
export class KafkaReadiness implements ReadinessCheck {
  readonly name = 'kafka';
  private admin: Admin | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly clients: KafkaClients) {}

  async check(): Promise<CheckDetails> {
    // No retries here: the probe repeats on its own schedule and must answer within its timeout.
    this.admin ??= this.clients.admin({ retry: { retries: 0 } });
    const admin = this.admin;
    try {
      this.connecting ??= admin.connect();
      await this.connecting;
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length };
    } catch (error) {
      // A failed connection is not reused; the next probe connects afresh.
      this.connecting = undefined;
      throw error;
    }
  }
}
