// Integration-test kit of billing: a fresh database migrated with billing's real migrations
// (ledger, directory, books), a Nest testing module with LedgerModule + BillingApplicationModule
// (plus whatever a test adds: read, messaging), a clock tests move by hand, and builders of
// usage.recorded / usage.adjusted values. Reused by read/ and messaging/ tests: keep it stable.
import { Global, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  INGESTION_EVENTS_SOURCE,
  type AllocationEventDataV1,
  type AllocationEventNameV1,
  type UsageAdjustedV1Json,
  type UsageRecordedV1,
} from '@plafond/contracts';
import {
  LedgerModule,
  PostgresEventStore,
  runUnitOfWork,
  type RecordedEvent,
  type TransactionalEventStore,
} from '@plafond/ledger';
import { createDataSource, runMigrations } from '@plafond/platform';
import { allLedgerEvents, createTestDatabase, type TestDatabase } from '@plafond/testing';
import { DataSource } from 'typeorm';
import type { BillingEvent, OverrunNotedData } from '../../domain/billing.events';
import { billingMigrations } from '../../migrations';
import { BillingApplicationModule } from '../application.module';
import { UsageCharging } from '../charging.service';
import { CLOCK, type Clock } from '../clock';
import type { CommandContext } from '../command-context';
import { BillingDirectory } from '../directory';
import { BillingPeriods } from '../periods.service';
import { BillingProfiles } from '../profiles.service';
import { PriceSchedules } from '../schedules.service';
import { BILLING_SETTINGS, type BillingSettings } from '../settings';

export const SCHEMA = 'billing';
/** Mid-November 2026: November is open, October can be closed. */
export const T0 = new Date('2026-11-15T12:00:00.000Z');
export const FINANCE: CommandContext = {
  actor: 'finance:k3x9q2m7p1aa',
  correlationId: 'corr-test-1',
};
export const USAGE_SOURCE = 'urn:plafond:test:recorded';

/** A clock tests move by hand. */
export class TestClock {
  constructor(public now: Date = T0) {}
  readonly read: Clock = () => new Date(this.now.getTime());
  set(at: Date | string | number): void {
    this.now = new Date(typeof at === 'object' ? at.getTime() : at);
  }
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface BillingTestKitOptions {
  /** Database label (shows in its name). */
  readonly label: string;
  readonly settings?: Partial<Omit<BillingSettings, 'readModelSchema'>>;
  /** Start of the test clock (default T0). */
  readonly now?: Date;
  /** TypeORM pool size (default 10; concurrency tests may want more). */
  readonly poolSize?: number;
  /** More modules in the same testing module (e.g. BillingReadModule, messaging). */
  readonly imports?: readonly (Type | DynamicModule)[];
  readonly providers?: readonly Provider[];
}

export interface BillingTestKit {
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  readonly moduleRef: TestingModule;
  readonly store: PostgresEventStore;
  readonly clock: TestClock;
  readonly settings: BillingSettings;
  readonly schedules: PriceSchedules;
  readonly profiles: BillingProfiles;
  readonly charging: UsageCharging;
  readonly periods: BillingPeriods;
  readonly directory: BillingDirectory;
  /** A unit of work retried on serialization failures and lost races, like the inbox. */
  transaction<T>(work: (tx: TransactionalEventStore) => Promise<T>): Promise<T>;
  /** UsageCharging.recordUsage in a transaction of its own. */
  recordUsage(
    usageId: string,
    usage: UsageRecordedV1,
  ): Promise<'charged' | 'unpriced' | 'duplicate'>;
  adjustUsage(
    adjustmentId: string,
    adjustment: UsageAdjustedV1Json,
  ): Promise<'charged' | 'held' | 'duplicate'>;
  recordOverrun(overrun: OverrunNotedData): Promise<'charged' | 'noted' | 'duplicate'>;
  /** Applies public allocation events to the directory (one transaction). */
  allocation(
    ...events: { name: AllocationEventNameV1; data: AllocationEventDataV1[AllocationEventNameV1] }[]
  ): Promise<void>;
  /** Units (parent before child) and use cases, straight into the directory. */
  organisation(input: {
    units?: readonly { unitId: string; parentId?: string | null; name?: string }[];
    useCases?: readonly { useCase: string; className: string }[];
  }): Promise<void>;
  /** A query on the billing schema (`"billing".charge_lines`, …). */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Rows of one books / directory table of the schema, ordered by `orderBy`. */
  rows<Row = Record<string, unknown>>(table: string, orderBy: string): Promise<Row[]>;
  /** Every event of the ledger, in commit order. */
  events(): Promise<RecordedEvent<BillingEvent>[]>;
  eventsOfType<T extends BillingEvent['type']>(
    type: T,
  ): Promise<RecordedEvent<Extract<BillingEvent, { type: T }>>[]>;
  close(): Promise<void>;
}

export async function createBillingTestKit(
  options: BillingTestKitOptions,
): Promise<BillingTestKit> {
  const database = await createTestDatabase(options.label);
  const dataSource = createDataSource({
    url: database.url,
    schema: SCHEMA,
    poolMax: options.poolSize ?? 10,
    migrations: billingMigrations(SCHEMA),
    applicationName: `plafond-billing-test-${options.label}`,
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const clock = new TestClock(options.now ?? T0);

  @Global()
  @Module({
    providers: [
      { provide: getDataSourceToken(), useValue: dataSource },
      ...(options.providers ?? []),
    ],
    exports: [getDataSourceToken(), ...(options.providers ?? [])],
  })
  class TestInfrastructure {}

  const moduleRef = await Test.createTestingModule({
    imports: [
      TestInfrastructure,
      LedgerModule.forRoot({ schema: SCHEMA, global: true }),
      BillingApplicationModule.forRoot({ ...options.settings, readModelSchema: SCHEMA }),
      ...(options.imports ?? []),
    ],
  })
    .overrideProvider(CLOCK)
    .useValue(clock.read)
    .compile();
  await moduleRef.init();

  const store = moduleRef.get(PostgresEventStore);
  const charging = moduleRef.get(UsageCharging);
  const directory = moduleRef.get(BillingDirectory);
  const transaction = <T>(work: (tx: TransactionalEventStore) => Promise<T>) =>
    runUnitOfWork(store, work);
  const query = async <Row>(text: string, params: readonly unknown[] = []) =>
    dataSource.query<Row[]>(text, [...params]);
  const events = () => allLedgerEvents<RecordedEvent<BillingEvent>>(store);
  return {
    database,
    dataSource,
    moduleRef,
    store,
    clock,
    settings: moduleRef.get<BillingSettings>(BILLING_SETTINGS),
    schedules: moduleRef.get(PriceSchedules),
    profiles: moduleRef.get(BillingProfiles),
    charging,
    periods: moduleRef.get(BillingPeriods),
    directory,
    transaction,
    recordUsage: (usageId, usage) => transaction((tx) => charging.recordUsage(tx, usageId, usage)),
    adjustUsage: (adjustmentId, adjustment) =>
      transaction((tx) => charging.adjustUsage(tx, adjustmentId, adjustment)),
    recordOverrun: (overrun) => transaction((tx) => charging.recordOverrun(tx, overrun)),
    allocation: (...list) =>
      transaction(async (tx) => {
        for (const event of list)
          await directory.applyAllocationEvent(tx.sql, event.name, event.data);
      }),
    organisation: (input) =>
      transaction(async (tx) => {
        for (const unit of input.units ?? [])
          await directory.applyAllocationEvent(tx.sql, 'UnitCreated', {
            unitId: unit.unitId,
            parentId: unit.parentId ?? null,
            name: unit.name ?? unit.unitId,
          });
        for (const useCase of input.useCases ?? [])
          await directory.applyAllocationEvent(tx.sql, 'UseCaseRegistered', {
            useCase: useCase.useCase,
            className: useCase.className,
            description: useCase.useCase,
          });
      }),
    query,
    rows: <Row>(table: string, orderBy: string) =>
      query<Row>(`SELECT * FROM "${SCHEMA}".${table} ORDER BY ${orderBy}`),
    events,
    async eventsOfType(type) {
      return (await events()).filter((event) => event.type === type) as never;
    },
    async close() {
      await moduleRef.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

/** The inbox key billing uses as usage id for a usage.recorded CloudEvent id. */
export const usageIdOf = (recordedEventId: string, source = INGESTION_EVENTS_SOURCE): string =>
  `${source}#${recordedEventId}`;

/** A usage.recorded value (bigint quantities); defaults: 1 request, 0 energy/carbon, T0. */
export function usageRecorded(
  overrides: Partial<UsageRecordedV1> & { unitId: string },
): UsageRecordedV1 {
  return {
    useCase: 'chat',
    requests: 1n,
    energyMicroWh: 0n,
    carbonMicroGrams: 0n,
    factorSetVersion: 'fs-2026-01',
    method: 'modelled',
    occurredAt: T0.toISOString(),
    reportedSource: USAGE_SOURCE,
    reportedId: `reported-${overrides.unitId}`,
    ...overrides,
  };
}

/**
 * The usage.adjusted data re-rating `usage` (recorded under CloudEvent id `recordedEventId`) to
 * new values; deltas are computed from `before` (default: the usage's recorded values).
 */
export function usageAdjusted(
  recordedEventId: string,
  usage: UsageRecordedV1,
  after: { energyMicroWh: bigint; carbonMicroGrams: bigint },
  options: {
    before?: { energyMicroWh: bigint; carbonMicroGrams: bigint };
    fromFactorSetVersion?: string;
    toFactorSetVersion?: string;
  } = {},
): UsageAdjustedV1Json {
  const before = options.before ?? usage;
  return {
    reportedSource: usage.reportedSource,
    reportedId: usage.reportedId,
    recordedEventId,
    unitId: usage.unitId,
    useCase: usage.useCase,
    occurredAt: usage.occurredAt,
    method: usage.method,
    fromFactorSetVersion: options.fromFactorSetVersion ?? usage.factorSetVersion,
    toFactorSetVersion: options.toFactorSetVersion ?? 'fs-2026-02',
    energyDeltaMicroWh: (after.energyMicroWh - before.energyMicroWh).toString(),
    carbonDeltaMicroGrams: (after.carbonMicroGrams - before.carbonMicroGrams).toString(),
    energyMicroWh: after.energyMicroWh.toString(),
    carbonMicroGrams: after.carbonMicroGrams.toString(),
  };
}

/** A PriceScheduleInput (API shape): EUR 100 per tonne from 2026-01-01, no energy price. */
export function scheduleInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    currency: 'EUR',
    effectiveFrom: '2026-01-01T00:00:00Z',
    carbonPricePerTonne: '100',
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown>; status?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
