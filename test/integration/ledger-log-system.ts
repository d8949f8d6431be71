// Test-only: the three services in this process, on one test database (a schema each) and the
// ledger-log transport, composed as the embedded host does (`MessageTransportModule.forRoot` with
// the three producers, readiness the database's alone). The brokers configured are a closed port,
// so any Kafka connection attempt would show in the logs. Kept apart from service-harness.ts,
// which the per-service harnesses (ingestion-service.ts among them) build on.
import { MessageTransportModule, type MessageTransportConfig } from '@plafond/messaging';
import {
  generateApiKey,
  loadConfig,
  type ServiceConfig,
  type ServiceDefinition,
} from '@plafond/platform';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import { AllocationConfig } from '../../apps/allocation/src/config';
import { ALLOCATION_SERVICE } from '../../apps/allocation/src/definition';
import { allocationLedgerLogProducer } from '../../apps/allocation/src/messaging';
import { BillingConfig } from '../../apps/billing/src/config';
import { BILLING_SERVICE } from '../../apps/billing/src/definition';
import { billingLedgerLogProducer } from '../../apps/billing/src/messaging';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import { ingestionLedgerLogProducer } from '../../apps/ingestion/src/messaging';
import { ingestionDefinition } from './ingestion-service';
import {
  migrateService,
  startServiceInProcess,
  type InProcessApplication,
} from './service-harness';

/** Nothing listens here: a Kafka connection attempt fails and kafkajs logs it. */
const NO_BROKER = '127.0.0.1:1';

export interface LedgerLogSystemOptions {
  /** Name given to the test database (createTestDatabase). */
  readonly databaseName: string;
  /** Billing settings beyond the shared ones (BILLING_DEFAULT_CURRENCY is EUR), e.g. accounts. */
  readonly billingEnv?: Readonly<Record<string, string>>;
}

export interface LedgerLogSystem {
  readonly database: TestDatabase;
  /** A small pool on the test database, for reading the services' schemas directly. */
  readonly pool: Pool;
  readonly adminKey: string;
  readonly configs: {
    readonly allocation: AllocationConfig;
    readonly ingestion: IngestionConfig;
    readonly billing: BillingConfig;
  };
  readonly allocation: InProcessApplication;
  readonly ingestion: InProcessApplication;
  readonly billing: InProcessApplication;
  /** Closes the services (in reverse order), the pool, and drops the database. */
  close(): Promise<void>;
}

/** Migrates the three schemas and starts allocation, ingestion and billing, each ready. */
export async function startLedgerLogSystem(
  options: LedgerLogSystemOptions,
): Promise<LedgerLogSystem> {
  const database = await createTestDatabase(options.databaseName);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const adminKey = generateApiKey().key;
  const running: InProcessApplication[] = [];
  const close = async () => {
    for (const service of running.reverse()) await service.app.close();
    await pool.end();
    await database.drop();
  };
  const env = (schema: string): Record<string, string> => ({
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: schema,
    KAFKA_BROKERS: NO_BROKER,
    KAFKA_CLIENT_ID: `plafond-${schema}`,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'info',
  });
  try {
    const configs = {
      allocation: loadConfig(AllocationConfig, env('allocation')),
      ingestion: loadConfig(IngestionConfig, env('ingestion')),
      billing: loadConfig(BillingConfig, {
        ...env('billing'),
        BILLING_DEFAULT_CURRENCY: 'EUR',
        ...options.billingEnv,
      }),
    };
    const ingestionService = ingestionDefinition(configs.ingestion);
    await migrateService(database.url, ALLOCATION_SERVICE, 'allocation');
    await migrateService(database.url, ingestionService, 'ingestion');
    await migrateService(database.url, BILLING_SERVICE, 'billing');
    // What the embedded host passes: the three producers, each described by its own service.
    const transport: MessageTransportConfig = {
      kind: 'ledger-log',
      producers: [
        allocationLedgerLogProducer(configs.allocation),
        ingestionLedgerLogProducer(configs.ingestion),
        billingLedgerLogProducer(configs.billing),
      ],
      idlePollMs: 50,
    };
    const start = async <C extends ServiceConfig>(
      service: string,
      definition: ServiceDefinition<C>,
      config: C,
    ): Promise<InProcessApplication> => {
      const started = await startServiceInProcess(service, definition, config, adminKey, {
        imports: [MessageTransportModule.forRoot(transport)],
        // As the embedded host: readiness is the database's alone.
        kafkaReadiness: false,
      });
      running.push(started);
      return started;
    };
    const allocation = await start('allocation', ALLOCATION_SERVICE, configs.allocation);
    const ingestion = await start('ingestion', ingestionService, configs.ingestion);
    const billing = await start('billing', BILLING_SERVICE, configs.billing);
    return { database, pool, adminKey, configs, allocation, ingestion, billing, close };
  } catch (error) {
    await close();
    throw error;
  }
}
