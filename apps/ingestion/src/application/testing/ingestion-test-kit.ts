// Integration-test helpers: a fresh database with the ledger and the ingestion tables, and any
// number of pipeline "instances" (each its own pg pool, store, clock and services) on it.
import {
  ledgerSchemaStatements,
  PostgresEventStore,
  pgPoolSource,
  type RecordedEvent,
} from '@plafond/ledger';
import { allLedgerEvents, createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import type { Clock } from '../clock';
import type { IngestionEvent } from '../events';
import { FactorSetService } from '../factor-set.service';
import type { IngestionSettings } from '../settings';
import { ingestionTableStatements } from '../tables';
import { PostgresUnitDirectory } from '../unit-directory';
import { UsagePipeline, type IngestionCaller } from '../usage-pipeline';

export const SCHEMA = 'ingestion';
export const T0 = new Date('2026-03-10T12:00:00.000Z');
export const SOURCE = 'urn:plafond:gateway:eu-1';
export const CALLER: IngestionCaller = {
  integratorId: 'int-gateway',
  allowedSource: SOURCE,
  allowedUnits: null,
};
export const ADMIN = { actor: 'admin:k3x9q2m7p1aa', correlationId: 'corr-test-1' };

export class TestClock {
  constructor(public now: Date = T0) {}
  readonly read: Clock = () => new Date(this.now.getTime());
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface PipelineInstance {
  pool: Pool;
  store: PostgresEventStore;
  clock: TestClock;
  directory: PostgresUnitDirectory;
  factorSets: FactorSetService;
  pipeline: UsagePipeline;
}

export interface IngestionTestKit {
  database: TestDatabase;
  instances: PipelineInstance[];
  app: PipelineInstance;
  /** Every event of the ledger, in commit order. */
  events(): Promise<RecordedEvent<IngestionEvent>[]>;
  eventsOfType<T extends IngestionEvent['type']>(
    type: T,
  ): Promise<RecordedEvent<Extract<IngestionEvent, { type: T }>>[]>;
  count(table: 'dedup' | 'rated_usage'): Promise<number>;
  close(): Promise<void>;
}

export async function createIngestionTestKit(
  label: string,
  options: {
    instances?: number;
    settings?: Partial<IngestionSettings>;
    units?: string[];
    useCases?: string[];
  } = {},
): Promise<IngestionTestKit> {
  const database = await createTestDatabase(label);
  const instances: PipelineInstance[] = [];
  for (let index = 0; index < (options.instances ?? 1); index += 1) {
    const pool = new Pool({ connectionString: database.url, max: 6 });
    if (index === 0)
      for (const statement of [
        ...ledgerSchemaStatements(SCHEMA),
        ...ingestionTableStatements(SCHEMA),
      ])
        await pool.query(statement);
    const store = new PostgresEventStore({ schema: SCHEMA, connection: pgPoolSource(pool) });
    const clock = new TestClock();
    const directory = new PostgresUnitDirectory(store);
    const factorSets = new FactorSetService(store, clock.read, options.settings);
    const pipeline = new UsagePipeline(store, factorSets, directory, clock.read, options.settings);
    instances.push({ pool, store, clock, directory, factorSets, pipeline });
  }
  const app = instances[0] as PipelineInstance;
  await app.store.transaction(async (tx) => {
    for (const unit of options.units ?? ['team-search', 'team-ads'])
      await app.directory.rememberUnit(tx.sql, unit, T0);
    for (const useCase of options.useCases ?? ['support-chat', 'batch-scoring'])
      await app.directory.rememberUseCase(tx.sql, useCase, T0);
  });
  const events = () => allLedgerEvents<RecordedEvent<IngestionEvent>>(app.store);
  return {
    database,
    instances,
    app,
    events,
    async eventsOfType(type) {
      return (await events()).filter((event) => event.type === type) as never;
    },
    async count(table) {
      const { rows } = await app.pool.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "${SCHEMA}".${table}`,
      );
      return rows[0]?.count ?? 0;
    },
    async close() {
      for (const instance of instances) await instance.pool.end();
      await database.drop();
    },
  };
}
