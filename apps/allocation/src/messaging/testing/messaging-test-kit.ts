// Test-only: the MessagingModule in a Nest application context on a fresh database and run-unique
// topics of the real broker, with the platform (TypeORM DataSource, KafkaClients, JsonLogger)
// and the ledger wired as in the service.
import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TOPICS, topicName } from '@plafond/contracts';
import { LedgerModule, PostgresEventStore, ledgerSchemaStatements } from '@plafond/ledger';
import { JsonLogger, PlatformModule, loadConfig, provisionTopics } from '@plafond/platform';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@plafond/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { AllocationConfig } from '../../config';
import { messagingTableStatements } from '../messaging.schema';
import { MessagingModule } from '../messaging.module';
import type { MessagingModuleOptions } from '../messaging.options';

export const SCHEMA = 'allocation';

export interface MessagingTestKit {
  database: TestDatabase;
  /** For assertions; the application uses its own TypeORM pool. */
  pool: Pool;
  /** A client of the test itself (producing usage, reading the allocation topic). */
  kafka: Kafka;
  config: AllocationConfig;
  topics: { allocationEvents: string; usageRecorded: string };
  moduleRef: TestingModule;
  store: PostgresEventStore;
  /** The service's log lines (JSON), for diagnosis. */
  logLines: string[];
  /** Closes the Nest context (destroy and shutdown hooks); idempotent. */
  closeApp(): Promise<void>;
  close(): Promise<void>;
}

export interface MessagingTestKitOptions {
  label: string;
  usageDebits: InjectionToken;
  imports?: ModuleMetadata['imports'];
  /** More DDL after the ledger's and the messaging tables (e.g. the application's tables). */
  extraStatements?: (schema: string) => string[];
  messaging?: Omit<MessagingModuleOptions, 'usageDebits' | 'imports'>;
  /** Providers replaced by value (e.g. the application's CLOCK). */
  overrides?: readonly { token: InjectionToken; value: unknown }[];
}

export async function createMessagingTestKit(
  options: MessagingTestKitOptions,
): Promise<MessagingTestKit> {
  const database = await createTestDatabase(options.label);
  const pool = new Pool({ connectionString: database.url, max: 4 });
  const statements = [
    ...ledgerSchemaStatements(SCHEMA),
    ...messagingTableStatements(SCHEMA),
    ...(options.extraStatements?.(SCHEMA) ?? []),
  ];
  for (const statement of statements) await pool.query(statement);

  const prefix = uniqueTopicPrefix(options.label);
  const brokers = kafkaBrokers();
  await provisionTopics(brokers, [TOPICS.allocationEvents, TOPICS.usageRecorded], { prefix });
  const topics = {
    allocationEvents: topicName(TOPICS.allocationEvents, prefix),
    usageRecorded: topicName(TOPICS.usageRecorded, prefix),
  };
  const config = loadConfig(AllocationConfig, {
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: SCHEMA,
    DATABASE_POOL_MAX: '6',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: `${prefix}allocation`.slice(0, 100),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'info',
  });
  const logLines: string[] = [];
  const logger = new JsonLogger({
    service: 'allocation',
    level: 'info',
    write: (line) => logLines.push(line),
  });
  const builder = Test.createTestingModule({
    imports: [
      PlatformModule.forRoot({
        service: 'allocation',
        config,
        configClass: AllocationConfig,
        logger,
        migrations: [],
        databaseConnectAttempts: 1,
      }),
      LedgerModule.forRoot({ schema: SCHEMA, global: true }),
      MessagingModule.forRoot({
        usageDebits: options.usageDebits,
        imports: options.imports,
        // Quick polls so tests wait on behaviour, not on idle timers.
        relay: { idlePollMs: 50 },
        usageConsumerConfig: { maxWaitTimeInMs: 100 },
        startRetry: { initialBackoffMs: 100, maxBackoffMs: 1_000 },
        ...options.messaging,
      }),
    ],
  }).setLogger(logger);
  for (const { token, value } of options.overrides ?? [])
    builder.overrideProvider(token).useValue(value);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  const kafka = new Kafka({
    clientId: `${prefix}test`.slice(0, 100),
    brokers,
    logLevel: logLevel.NOTHING,
  });
  let appClosed = false;
  const closeApp = async () => {
    if (appClosed) return;
    appClosed = true;
    await moduleRef.close();
  };
  return {
    database,
    pool,
    kafka,
    config,
    topics,
    moduleRef,
    store: moduleRef.get(PostgresEventStore),
    logLines,
    closeApp,
    async close() {
      await closeApp();
      await pool.end();
      await database.drop();
    },
  };
}
