import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Kafka } from 'kafkajs';
import { ServiceConfig } from '../config/service-config';
import { dataSourceOptions, MigrationClass } from '../database/data-source';
import { PlafondExceptionFilter } from '../errors/exception.filter';
import { createValidationPipe } from '../errors/validation';
import { HealthController } from '../health/health.controller';
import { HealthService, READINESS_TIMEOUT_MS } from '../health/health.service';
import {
  DatabaseReadiness,
  KafkaReadiness,
  READINESS_CHECKS,
  ReadinessCheck,
} from '../health/readiness-checks';
import { ShutdownState } from '../health/shutdown-state';
import { consumerTimeouts, KafkaClients } from '../kafka/kafka-clients';
import { kafkaLogCreator, kafkaLogLevel } from '../kafka/kafka-log-creator';
import { JsonLogger } from '../logging/json-logger';

export interface PlatformModuleOptions<C extends ServiceConfig> {
  readonly service: string;
  readonly config: C;
  /** Also registered as a token, so the app injects its own config class. */
  readonly configClass: Type<C>;
  readonly logger: JsonLogger;
  readonly migrations: readonly MigrationClass[];
  /** Per readiness check; below the probe's own timeout (3 s in deploy/). */
  readonly readinessTimeoutMs?: number;
  /** Bounded connection attempts at start before the process gives up. */
  readonly databaseConnectAttempts?: number;
  /**
   * False when the host runs the service without a broker (the embedded one-process mode, whose
   * consumers read the ledgers in place): readiness then does not probe Kafka. Default true.
   */
  readonly kafkaReadiness?: boolean;
  /**
   * How long a request waits for a pool connection (pg's connectionTimeoutMillis) before it is
   * refused 503 SERVICE.BUSY; default DATABASE_CONNECT_TIMEOUT_MS. The embedded host sets more: every connection waits
   * its turn on one PGlite session, so a burst queues rather than finds the database slow.
   */
  readonly databaseConnectTimeoutMs?: number;
}

/**
 * What every service shares: config, JSON logger, PostgreSQL (TypeORM DataSource), Kafka clients,
 * health endpoints, the validation pipe and the exception filter. Global, so feature modules
 * inject `DataSource`, `KafkaClients`, `JsonLogger` or their config class directly.
 */
@Module({})
export class PlatformModule {
  static forRoot<C extends ServiceConfig>(options: PlatformModuleOptions<C>): DynamicModule {
    const { config, logger } = options;
    const kafka = new Kafka({
      clientId: config.kafkaClientId,
      brokers: [...config.kafkaBrokers],
      connectionTimeout: 3000,
      logLevel: kafkaLogLevel(config.logLevel),
      logCreator: kafkaLogCreator(logger),
    });
    const database = TypeOrmModule.forRootAsync({
      useFactory: () => ({
        ...dataSourceOptions({
          url: config.databaseUrl,
          schema: config.databaseSchema,
          poolMax: config.databasePoolMax,
          migrations: options.migrations,
          applicationName: `plafond-${options.service}`,
          // The host's choice (embedded) wins over DATABASE_CONNECT_TIMEOUT_MS.
          connectTimeoutMs: options.databaseConnectTimeoutMs ?? config.databaseConnectTimeoutMs,
        }),
        retryAttempts: options.databaseConnectAttempts ?? 5,
        retryDelay: 2000,
      }),
    });
    const exported = [
      ServiceConfig,
      options.configClass,
      JsonLogger,
      Kafka,
      KafkaClients,
      ShutdownState,
    ];
    return {
      module: PlatformModule,
      global: true,
      imports: [database],
      controllers: [HealthController],
      providers: [
        { provide: ServiceConfig, useValue: config },
        { provide: options.configClass, useValue: config },
        { provide: JsonLogger, useValue: logger },
        { provide: Kafka, useValue: kafka },
        {
          provide: KafkaClients,
          useFactory: (client: Kafka, log: JsonLogger) =>
            new KafkaClients(client, log, consumerTimeouts(config.kafkaSessionTimeoutMs)),
          inject: [Kafka, JsonLogger],
        },
        ShutdownState,
        DatabaseReadiness,
        KafkaReadiness,
        {
          provide: READINESS_CHECKS,
          useFactory: (db: DatabaseReadiness, broker: KafkaReadiness): ReadinessCheck[] =>
            options.kafkaReadiness === false ? [db] : [db, broker],
          inject: [DatabaseReadiness, KafkaReadiness],
        },
        { provide: READINESS_TIMEOUT_MS, useValue: options.readinessTimeoutMs ?? 2000 },
        HealthService,
        { provide: APP_FILTER, useClass: PlafondExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [...exported, database],
    };
  }
}
