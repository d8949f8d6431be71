// The ledger on an app's TypeORM DataSource: the migration class, the connection adapters, a
// unit of work shared with a read-model write, and the NestJS module.
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { DataSource } from 'typeorm';

import {
  EVENT_STORE,
  InMemoryEventStore,
  InjectEventStore,
  LedgerModule,
  PostgresEventStore,
  createLedgerMigration,
  typeormDataSourceSource,
  typeormExecutor,
  type EventStore,
} from '@plafond/ledger';

import { amount } from './behaviour/append.behaviour';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

const SCHEMA = 'allocation';
const Migration = createLedgerMigration(SCHEMA);

let database: TestDatabase;
let dataSource: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase('ledger_typeorm');
  dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: [Migration],
    synchronize: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.query(
    `CREATE TABLE ${SCHEMA}.unit_totals (unit_id text PRIMARY KEY, total bigint NOT NULL)`,
  );
  store = new PostgresEventStore({
    schema: SCHEMA,
    connection: typeormDataSourceSource(dataSource),
  });
});
afterAll(async () => {
  await dataSource.destroy();
  await database.drop();
});

const tables = async () =>
  (
    await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [SCHEMA],
    )
  ).map((row) => row.table_name);

describe('createLedgerMigration', () => {
  it('creates the ledger and subscription tables under a name that sorts after initial migrations', async () => {
    expect(await tables()).toEqual([
      'events',
      'inbox',
      'snapshots',
      'streams',
      'subscription_checkpoints',
      'unit_totals',
    ]);
    const [executed] = await dataSource.query<{ name: string; timestamp: string }[]>(
      `SELECT name, timestamp FROM migrations`,
    );
    expect(executed).toEqual({ name: 'LedgerAllocation1800000000000', timestamp: '1800000000000' });
    expect(await dataSource.showMigrations()).toBe(false);
  });
});

describe('on a TypeORM DataSource', () => {
  it('appends, reads and commits or rolls back units of work', async () => {
    await store.appendToStream('unit-1', [amount(5)], { expectedVersion: 'no_stream' });
    await expect(
      store.transaction(async (tx) => {
        await tx.appendToStream('unit-1', [amount(6)], { expectedVersion: 1 });
        await tx.sql.query(`INSERT INTO ${SCHEMA}.unit_totals VALUES ('unit-1', 11)`);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await store.readStream('unit-1')).toHaveLength(1);
    expect(await dataSource.query(`SELECT * FROM ${SCHEMA}.unit_totals`)).toEqual([]);
  });

  it("joins a transaction the app's own QueryRunner already opened", async () => {
    const queryRunner = dataSource.createQueryRunner();
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      const tx = store.withExecutor(typeormExecutor(queryRunner));
      const appended = await tx.appendToStream('unit-2', [amount(7)], {
        expectedVersion: 'no_stream',
      });
      await queryRunner.query(`INSERT INTO ${SCHEMA}.unit_totals VALUES ('unit-2', 7)`);
      expect(await store.readStream('unit-2')).toEqual([]);
      await queryRunner.commitTransaction();
      expect(appended.nextExpectedVersion).toBe(1n);
    } finally {
      await queryRunner.release();
    }
    expect(await store.readStream('unit-2')).toHaveLength(1);
    expect(await dataSource.query(`SELECT unit_id, total FROM ${SCHEMA}.unit_totals`)).toEqual([
      { unit_id: 'unit-2', total: '7' },
    ]);
  });

  it('undoes the migration', async () => {
    const other = new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: [createLedgerMigration('other_service')],
      migrationsTableName: 'other_migrations',
    });
    await other.initialize();
    try {
      await other.runMigrations();
      await other.undoLastMigration();
      const rows = await other.query<{ count: string }[]>(
        `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'other_service'`,
      );
      expect(rows).toEqual([{ count: '0' }]);
    } finally {
      await other.destroy();
    }
  });
});

describe('LedgerModule', () => {
  @Injectable()
  class ReserveQuotaHandler {
    constructor(@InjectEventStore() readonly events: EventStore) {}
  }

  it('provides the PostgreSQL store on the TypeORM DataSource under EVENT_STORE', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: database.url, synchronize: false }),
        LedgerModule.forRoot({ schema: SCHEMA }),
      ],
      providers: [ReserveQuotaHandler],
    }).compile();
    try {
      const handler = moduleRef.get(ReserveQuotaHandler);
      expect(handler.events).toBeInstanceOf(PostgresEventStore);
      expect(moduleRef.get(EVENT_STORE)).toBe(moduleRef.get(PostgresEventStore));
      await handler.events.appendToStream('unit-3', [amount(1)], { expectedVersion: 'no_stream' });
      expect(await store.readStream('unit-3')).toHaveLength(1);
    } finally {
      await moduleRef.close();
    }
  });

  it('provides the in-memory store for tests without a database', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [LedgerModule.forTesting()],
      providers: [ReserveQuotaHandler],
    }).compile();
    expect(moduleRef.get(ReserveQuotaHandler).events).toBeInstanceOf(InMemoryEventStore);
    await moduleRef.close();
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => LedgerModule.forRoot({ schema: 'bad"name' })).toThrow(/LEDGER.INVALID_ARGUMENT/);
  });
});
