// The Nest wiring: IngestionApplicationModule resolves its services against a global ledger
// store and runs a usage end to end on the system clock.
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { USAGE_REPORTED_V1_TYPE } from '@plafond/contracts';
import { ledgerSchemaStatements, PostgresEventStore, pgPoolSource } from '@plafond/ledger';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import {
  FactorSetService,
  INGESTION_SETTINGS,
  IngestionApplicationModule,
  PostgresUnitDirectory,
  UNIT_DIRECTORY,
  UsagePipeline,
  ingestionTableStatements,
} from './index';

const SCHEMA = 'ingestion';

describe('IngestionApplicationModule', () => {
  let database: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    database = await createTestDatabase('ingest_app_module');
    pool = new Pool({ connectionString: database.url, max: 4 });
    for (const statement of [
      ...ledgerSchemaStatements(SCHEMA),
      ...ingestionTableStatements(SCHEMA),
    ])
      await pool.query(statement);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('provides the pipeline, factor sets and directory with checked settings', async () => {
    const store = new PostgresEventStore({ schema: SCHEMA, connection: pgPoolSource(pool) });
    @Global()
    @Module({
      providers: [{ provide: PostgresEventStore, useValue: store }],
      exports: [PostgresEventStore],
    })
    class TestInfrastructure {}
    const moduleRef = await Test.createTestingModule({
      imports: [TestInfrastructure, IngestionApplicationModule.forRoot({ itemConcurrency: 2 })],
    }).compile();
    expect(moduleRef.get(INGESTION_SETTINGS)).toMatchObject({
      itemConcurrency: 2,
      dedupWindowMs: 35 * 24 * 3600 * 1000,
    });
    expect(moduleRef.get(FactorSetService)).toBeInstanceOf(FactorSetService);
    const directory = moduleRef.get<PostgresUnitDirectory>(UNIT_DIRECTORY);
    expect(directory).toBeInstanceOf(PostgresUnitDirectory);
    await store.transaction(async (tx) => {
      await directory.rememberUnit(tx.sql, 'team-a', new Date());
      await directory.rememberUseCase(tx.sql, 'chat', new Date());
    });
    const [result] = await moduleRef.get(UsagePipeline).ingest(
      [
        {
          format: 'cloudevent',
          event: {
            specversion: '1.0',
            id: 'mod-1',
            source: 'urn:test',
            type: USAGE_REPORTED_V1_TYPE,
            data: {
              unitId: 'team-a',
              useCase: 'chat',
              outputTokens: 3,
              occurredAt: new Date().toISOString(),
            },
          },
        },
      ],
      { integratorId: 'int-1', allowedSource: null, allowedUnits: null },
      'http',
    );
    expect(result?.status).toBe('accepted');
    await moduleRef.close();
  });

  it('refuses settings under which a replay could be accepted twice', () => {
    expect(() => IngestionApplicationModule.forRoot({ dedupWindowMs: 1000 })).toThrow(
      /dedupWindowMs/,
    );
  });
});
