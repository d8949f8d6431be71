// Test-only: the ingestion service as it runs in production (its ServiceDefinition, migrations,
// the platform's HTTP pipeline), in process, on a fresh database and run-unique topics.
//
// Until apps/ingestion/src/ingestion.module.ts imports AuthModule and IngestionHttpModule, this
// file composes them itself (`withHttpEdge`); once it does, the service's own module is used.
import { type DynamicModule, Module } from '@nestjs/common';
import { TOPICS, topicName } from '@plafond/contracts';
import { LedgerModule } from '@plafond/ledger';
import {
  apiKeyTableStatements,
  AuthModule,
  generateApiKey,
  loadConfig,
  provisionTopics,
  sqlMigration,
  type MigrationClass,
  type ServiceDefinition,
} from '@plafond/platform';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@plafond/testing';
import { Pool } from 'pg';
import { IngestionApplicationModule } from '../../apps/ingestion/src/application';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import { INGESTION_SERVICE } from '../../apps/ingestion/src/definition';
import { IngestionHttpModule } from '../../apps/ingestion/src/http';
import { IngestionModule } from '../../apps/ingestion/src/ingestion.module';
import { integratorTableStatements } from '../../apps/ingestion/src/integrators';
import type { Client } from './allocation-service';
import {
  migrateService,
  startServiceInProcess,
  type InProcessApplication,
} from './service-harness';

export const SCHEMA = 'ingestion';

/** Whether the service's own module already carries the HTTP edge. */
function serviceHasHttpEdge(config: IngestionConfig): boolean {
  const imports = IngestionModule.forRoot(config).imports ?? [];
  return imports.some(
    (entry) =>
      typeof entry === 'object' &&
      entry !== null &&
      'module' in entry &&
      entry.module === IngestionHttpModule,
  );
}

@Module({})
class TestIngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    const application = IngestionApplicationModule.forRoot();
    return {
      module: TestIngestionModule,
      imports: [
        LedgerModule.forRoot({ schema: config.databaseSchema, global: true }),
        application,
        AuthModule.forRoot({ roles: ['admin', 'integrator', 'auditor'], scopedRoles: [] }),
        IngestionHttpModule.forRoot({ imports: [application] }),
      ],
    };
  }
}

/** Idempotent DDL: harmless when the service's migrations already create these tables. */
function migrations(schema: string): MigrationClass[] {
  return [
    ...INGESTION_SERVICE.migrations(schema),
    sqlMigration({
      name: 'TestIngestionHttpEdgeTables',
      timestamp: 1_899_999_999_999,
      schema,
      up: (s) => [...apiKeyTableStatements(s), ...integratorTableStatements(s)],
      down: () => [],
    }),
  ];
}

export function ingestionDefinition(config: IngestionConfig): ServiceDefinition<IngestionConfig> {
  return serviceHasHttpEdge(config)
    ? INGESTION_SERVICE
    : { ...INGESTION_SERVICE, module: (c) => TestIngestionModule.forRoot(c), migrations };
}

export interface IngestionInfrastructure {
  database: TestDatabase;
  pool: Pool;
  env: Record<string, string>;
  adminKey: string;
  close(): Promise<void>;
}

export async function prepareIngestionInfrastructure(
  label: string,
): Promise<IngestionInfrastructure> {
  const database = await createTestDatabase(label);
  const prefix = uniqueTopicPrefix(label);
  const brokers = kafkaBrokers();
  const adminKey = generateApiKey().key;
  const env = {
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: SCHEMA,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: `${prefix}ingestion`.slice(0, 100),
    KAFKA_TOPIC_PREFIX: prefix,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'info',
  };
  const definition = ingestionDefinition(loadConfig(IngestionConfig, env));
  await migrateService(database.url, definition, SCHEMA);
  await provisionTopics(
    brokers,
    [TOPICS.usageRaw, TOPICS.usageRecorded, TOPICS.usageRejected, TOPICS.allocationEvents],
    { prefix },
  );
  const pool = new Pool({ connectionString: database.url, max: 3 });
  return {
    database,
    pool,
    env,
    adminKey,
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

/** Topic names of the infrastructure's prefix (for assertions on Kafka). */
export function ingestionTopics(infrastructure: IngestionInfrastructure) {
  const prefix = infrastructure.env.KAFKA_TOPIC_PREFIX ?? '';
  return {
    usageRaw: topicName(TOPICS.usageRaw, prefix),
    usageRecorded: topicName(TOPICS.usageRecorded, prefix),
    usageRejected: topicName(TOPICS.usageRejected, prefix),
  };
}

export type InProcessIngestion = InProcessApplication;

export function startIngestionInProcess(
  infrastructure: IngestionInfrastructure,
  env: Record<string, string> = {},
): Promise<InProcessIngestion> {
  const config = loadConfig(IngestionConfig, { ...infrastructure.env, ...env });
  return startServiceInProcess(
    'ingestion',
    ingestionDefinition(config),
    config,
    infrastructure.adminKey,
  );
}

/** Units and use cases ingestion knows (what the allocation-events consumer would write). */
export async function rememberUnitsAndUseCases(
  pool: Pool,
  units: readonly string[],
  useCases: readonly string[],
): Promise<void> {
  for (const unit of units)
    await pool.query(
      `INSERT INTO "${SCHEMA}".known_units (unit_id, updated_at) VALUES ($1, now()) ON CONFLICT DO NOTHING`,
      [unit],
    );
  for (const useCase of useCases)
    await pool.query(
      `INSERT INTO "${SCHEMA}".known_use_cases (use_case, updated_at) VALUES ($1, now()) ON CONFLICT DO NOTHING`,
      [useCase],
    );
}

/**
 * Registers the test's gateway (`llm-gateway`) as an integrator of `unitIds` over ingestion's
 * admin API and returns a new integrator key.
 */
export async function registerIntegrator(
  admin: Client,
  source: string,
  unitIds: readonly string[],
): Promise<string> {
  const created = await admin.post('/v1/integrators', {
    integratorId: 'llm-gateway',
    name: 'LLM gateway',
    source,
    unitIds,
  });
  if (created.status !== 201) {
    throw new Error(`integrator not registered: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const key = await admin.post<{ key: string }>('/v1/integrators/llm-gateway/keys', {});
  if (key.status !== 201) {
    throw new Error(`no integrator key: ${key.status} ${JSON.stringify(key.body)}`);
  }
  return key.body.key;
}
