// The Nest wiring: ApplicationModule resolves its services against a global ledger store and
// runs the expiry loop between bootstrap and shutdown, on the system clock.
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ledgerSchemaStatements, PostgresEventStore, pgPoolSource } from '@plafond/ledger';
import { JsonLogger } from '@plafond/platform';
import { createTestDatabase, waitFor, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import {
  ApplicationModule,
  applicationTableStatements,
  BudgetService,
  CatalogService,
  OrganisationService,
  RESERVATION_SETTINGS,
  ReservationExpirer,
  ReservationService,
  UsageDebits,
} from './index';

jest.setTimeout(60_000);

const SCHEMA = 'allocation';
const ADMIN = { actor: 'admin:modtest00001' };
const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('ApplicationModule', () => {
  let database: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    database = await createTestDatabase('alloc_app_module');
    pool = new Pool({ connectionString: database.url, max: 4 });
    for (const statement of [
      ...ledgerSchemaStatements(SCHEMA),
      ...applicationTableStatements(SCHEMA),
    ])
      await pool.query(statement);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('provides every service and expires reservations in the background', async () => {
    const store = new PostgresEventStore({ schema: SCHEMA, connection: pgPoolSource(pool) });
    @Global()
    @Module({
      providers: [
        { provide: PostgresEventStore, useValue: store },
        {
          provide: JsonLogger,
          useValue: new JsonLogger({ service: 'allocation-test', level: 'error' }),
        },
        { provide: RESERVATION_SETTINGS, useValue: { expiryIntervalMs: 50 } },
      ],
      exports: [PostgresEventStore, JsonLogger, RESERVATION_SETTINGS],
    })
    class TestInfrastructure {}
    const moduleRef = await Test.createTestingModule({
      imports: [TestInfrastructure, ApplicationModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    for (const service of [
      OrganisationService,
      CatalogService,
      BudgetService,
      ReservationExpirer,
      UsageDebits,
    ])
      expect(app.get(service)).toBeInstanceOf(service);
    const reservations = app.get(ReservationService);
    expect(reservations.settings).toMatchObject({
      expiryIntervalMs: 50,
      maxBatchSize: 200,
      maxQueued: 10_000,
    });

    await app
      .get(OrganisationService)
      .createUnit(ADMIN, { unitId: 'solo', parentId: null, name: 'Solo' });
    await app
      .get(CatalogService)
      .registerUseCase(ADMIN, { useCase: 'chat', className: 'standard', description: 'Chat' });
    const budgets = app.get(BudgetService);
    await budgets.open(ADMIN, {
      budgetId: 'now',
      perimeterUnitId: 'solo',
      dimension: 'requests',
      period: { kind: 'range', startsOn: day(-1), endsOn: day(2) },
      ceiling: 100n,
    });
    await budgets.allocate(ADMIN, 'now', { allocationId: 'r1', policies: {} });
    const granted = await reservations.reserve(ADMIN, {
      reservationId: 'short',
      unitId: 'solo',
      amount: 10n,
      useCase: 'chat',
      timeoutMs: 20,
    });
    expect(granted).toMatchObject({ status: 'pending', available: '90' });
    await waitFor(async () => (await reservations.get('short')).status === 'expired', {
      description: 'the background sweep to expire the reservation',
    });
    expect(await reservations.get('short')).toMatchObject({ status: 'expired', available: '100' });
    await app.close();
  });
});
