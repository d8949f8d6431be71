// Integration-test helpers: a fresh database with the ledger and the application tables, and any
// number of service "instances" (each its own pg pool, store and clock) on it.
import type { UsageRecordedV1 } from '@plafond/contracts';
import {
  ledgerSchemaStatements,
  PostgresEventStore,
  pgPoolSource,
  type RecordedEvent,
} from '@plafond/ledger';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import { accountStreamId, type AccountEvent, type AccountState } from '../../domain';
import { BudgetService } from '../budget.service';
import { CatalogService } from '../catalog.service';
import type { Clock } from '../clock';
import type { CommandContext } from '../command-context';
import { applicationTableStatements } from '../index-tables';
import { OrganisationService } from '../organisation.service';
import { ReservationExpirer } from '../reservation-expirer';
import type { ReservationSettings } from '../reservation-settings';
import { ReservationService } from '../reservation.service';
import { loadAccount } from '../streams';
import { UsageDebits } from '../usage-debits';

export const SCHEMA = 'allocation';
export const T0 = new Date('2026-03-10T12:00:00.000Z');
export const ADMIN: CommandContext = { actor: 'admin:k3x9q2m7p1aa', correlationId: 'corr-test-1' };
export const SERVICE: CommandContext = { actor: 'service:svc000000001' };

/** A clock tests move by hand. */
export class TestClock {
  constructor(public now: Date = T0) {}
  readonly read: Clock = () => new Date(this.now.getTime());
  set(at: Date | number): void {
    this.now = new Date(typeof at === 'number' ? at : at.getTime());
  }
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface ServiceInstance {
  pool: Pool;
  store: PostgresEventStore;
  clock: TestClock;
  organisation: OrganisationService;
  catalog: CatalogService;
  budgets: BudgetService;
  reservations: ReservationService;
  expirer: ReservationExpirer;
  usage: UsageDebits;
}

export interface ApplicationTestKit {
  database: TestDatabase;
  instances: ServiceInstance[];
  /** The first instance. */
  app: ServiceInstance;
  account(budgetId: string, unitId: string): Promise<AccountState>;
  accountEvents(budgetId: string, unitId: string): Promise<RecordedEvent<AccountEvent>[]>;
  close(): Promise<void>;
}

export async function createApplicationTestKit(
  label: string,
  options: { instances?: number; poolSize?: number; settings?: Partial<ReservationSettings> } = {},
): Promise<ApplicationTestKit> {
  const database = await createTestDatabase(label);
  const instances: ServiceInstance[] = [];
  for (let index = 0; index < (options.instances ?? 1); index += 1) {
    const pool = new Pool({ connectionString: database.url, max: options.poolSize ?? 6 });
    if (index === 0)
      for (const statement of [
        ...ledgerSchemaStatements(SCHEMA),
        ...applicationTableStatements(SCHEMA),
      ])
        await pool.query(statement);
    const store = new PostgresEventStore({ schema: SCHEMA, connection: pgPoolSource(pool) });
    const clock = new TestClock();
    const reservations = new ReservationService(store, clock.read, {
      runExpirer: false,
      ...options.settings,
    });
    instances.push({
      pool,
      store,
      clock,
      organisation: new OrganisationService(store, clock.read),
      catalog: new CatalogService(store, clock.read),
      budgets: new BudgetService(store, clock.read),
      reservations,
      expirer: new ReservationExpirer(store, reservations, clock.read),
      usage: new UsageDebits(store, clock.read),
    });
  }
  const app = instances[0] as ServiceInstance;
  return {
    database,
    instances,
    app,
    account: async (budgetId, unitId) => (await loadAccount(app.store, budgetId, unitId)).state,
    accountEvents: (budgetId, unitId) =>
      app.store.readStream<AccountEvent>(accountStreamId(budgetId, unitId)),
    async close() {
      for (const instance of instances) {
        await instance.expirer.stop();
        await instance.reservations.idle();
        await instance.pool.end();
      }
      await database.drop();
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<{ code: string; details: Record<string, unknown>; retryable?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; details: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

export function usage(overrides: Partial<UsageRecordedV1> & { unitId: string }): UsageRecordedV1 {
  return {
    useCase: 'chat',
    requests: 1n,
    energyMicroWh: 0n,
    carbonMicroGrams: 0n,
    factorSetVersion: 'fs-2026-01',
    method: 'modelled',
    occurredAt: T0.toISOString(),
    reportedSource: '/gateways/test',
    reportedId: `reported-${overrides.unitId}`,
    ...overrides,
  };
}

/** A unit tree: acme → bu-a → (team-a1, team-a2), acme → bu-b, with headcounts. */
export async function seedOrganisation(app: ServiceInstance): Promise<void> {
  const attributes = (headcount: string) => ({
    effectiveFrom: '2026-01-01',
    values: { headcount },
  });
  await app.organisation.createUnit(ADMIN, { unitId: 'acme', parentId: null, name: 'ACME' });
  await app.organisation.createUnit(ADMIN, {
    unitId: 'bu-a',
    parentId: 'acme',
    name: 'BU A',
    attributes: attributes('60'),
  });
  await app.organisation.createUnit(ADMIN, {
    unitId: 'bu-b',
    parentId: 'acme',
    name: 'BU B',
    attributes: attributes('40'),
  });
  await app.organisation.createUnit(ADMIN, {
    unitId: 'team-a1',
    parentId: 'bu-a',
    name: 'Team A1',
    attributes: attributes('30'),
  });
  await app.organisation.createUnit(ADMIN, {
    unitId: 'team-a2',
    parentId: 'bu-a',
    name: 'Team A2',
    attributes: attributes('10'),
  });
}

/** Weights by headcount at every parent, 10 % contingency held at the root. */
export const HEADCOUNT_POLICIES = {
  acme: {
    contingency: { basisPoints: 1000 },
    rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
  },
  'bu-a': {
    rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
  },
};
