// The unit_balances projection run by the ReadModule inside a Nest context on real PostgreSQL:
// started at bootstrap, fed while the workload runs, equal to the strong query for every unit,
// reproduced exactly by a rebuild from position 0, and caught when a live row is altered.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  PostgresEventStore,
  pgExecutor,
  projectionDigest,
  rebuildProjection,
  type EventToAppend,
} from '@plafond/ledger';
import { JsonLogger, loadConfig } from '@plafond/platform';
import { waitFor } from '@plafond/testing';
import { AllocationConfig } from '../config';
import { BalanceQueries } from './balance.queries';
import { ProjectionStatus } from './projection.status';
import { ReadModule } from './read.module';
import { READ_SETTINGS, type ReadSettings } from './read.settings';
import { CARBON, ENERGY, runMarchScenario } from './testing/march-scenario';
import { SCHEMA, createReadTestKit, type ReadTestKit } from './testing/read-test-kit';
import { readUnitBalanceRows, unitBalancesProjection } from './unit-balances.projection';
import { ProjectionWaker, UnitBalancesSubscription } from './unit-balances.subscription';
import { verifyUnitBalances } from './unit-balances.verify';

jest.setTimeout(180_000);

@Global()
@Module({})
class TestPlatformModule {
  static with(store: PostgresEventStore, logLines: string[]): DynamicModule {
    const config = loadConfig(AllocationConfig, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
      DATABASE_SCHEMA: SCHEMA,
      KAFKA_BROKERS: '127.0.0.1:9092',
      LOG_LEVEL: 'info',
    });
    const logger = new JsonLogger({
      service: 'allocation',
      level: 'info',
      write: (line) => logLines.push(line),
    });
    return {
      module: TestPlatformModule,
      providers: [
        { provide: PostgresEventStore, useValue: store },
        { provide: JsonLogger, useValue: logger },
        { provide: AllocationConfig, useValue: config },
      ],
      exports: [PostgresEventStore, JsonLogger, AllocationConfig],
    };
  }
}

async function startReadModule(
  kit: ReadTestKit,
  tuning: ReadSettings['tuning'],
  logLines: string[] = [],
): Promise<TestingModule> {
  const settings: ReadSettings = { readModelSchema: SCHEMA, autoStart: true, tuning };
  const moduleRef = await Test.createTestingModule({
    imports: [TestPlatformModule.with(kit.store, logLines), ReadModule],
  })
    .overrideProvider(READ_SETTINGS)
    .useValue(settings)
    .compile();
  await moduleRef.init();
  return moduleRef;
}

describe('unit_balances projection in the ReadModule', () => {
  let kit: ReadTestKit;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    kit = await createReadTestKit('read_projection');
  });
  afterAll(async () => {
    await moduleRef?.close();
    await kit?.close();
  });

  it('starts at bootstrap, follows the workload and reports its lag', async () => {
    moduleRef = await startReadModule(kit, { batchSize: 7, idlePollMs: 20 });
    const status = moduleRef.get(ProjectionStatus);
    const waker = moduleRef.get(ProjectionWaker);
    expect(waker).toBe(moduleRef.get(UnitBalancesSubscription));
    expect((await status.status())[0]).toMatchObject({ name: 'unit-balances', state: 'running' });

    const { workload } = await runMarchScenario(kit.store, kit.pool);
    waker.wake();
    await waitFor(
      async () => {
        const [report] = await status.status();
        return report?.lag === '0' && report.eventsProcessed > 0;
      },
      { timeoutMs: 60_000, description: 'the projection to catch up' },
    );
    const [report] = await status.status();
    expect(report).toMatchObject({
      name: 'unit-balances',
      state: 'running',
      lag: '0',
      lagAtLeast: false,
      consecutiveFailures: 0,
      lastError: null,
    });
    expect(report!.checkpoint!.globalPosition).toBe(workload.lastPosition.toString());
    await expect(status.check()).resolves.toEqual({ 'unit-balances': '0' });
  });

  it('holds, for every unit of every budget, the figures of the strong query', async () => {
    const balances = new BalanceQueries(kit.store);
    let compared = 0;
    for (const budgetId of [ENERGY, CARBON]) {
      const strong = await balances.budgetBalances(budgetId);
      const rows = await readUnitBalanceRows(pgExecutor(kit.pool), SCHEMA, budgetId);
      expect(rows.map((row) => row.unitId)).toEqual(
        budgetId === ENERGY ? ['acme', 'ml', 'rnd', 'sales', 'web'] : ['ml', 'rnd', 'web'],
      );
      for (const row of rows) {
        const expected = strong.units.find((unit) => unit.unitId === row.unitId)!;
        expect({
          allocated: row.allocated,
          reserved: row.reserved,
          committed: row.committed,
          available: row.available,
          overrun: row.overrun,
          blocked: row.blocked,
          closed: row.closed,
        }).toEqual({
          allocated: expected.allocated,
          reserved: expected.reserved,
          committed: expected.committed,
          available: expected.available,
          overrun: expected.overrun,
          blocked: expected.blocked,
          closed: expected.closed,
        });
        compared += 1;
      }
    }
    expect(compared).toBe(8); // acme, sales, rnd, ml, web + rnd, ml, web
    const web = (await readUnitBalanceRows(pgExecutor(kit.pool), SCHEMA, ENERGY)).find(
      (row) => row.unitId === 'web',
    );
    expect(web).toMatchObject({ committed: '250000', overrun: '70000', available: '120000' });
  });

  it('stops on shutdown', async () => {
    const subscription = moduleRef!.get(UnitBalancesSubscription);
    await moduleRef!.close();
    moduleRef = undefined;
    expect(subscription.status().state).toBe('stopped');
  });

  it('is rebuilt from position 0 into a fresh schema with the live digest', async () => {
    const live = await projectionDigest(unitBalancesProjection, {
      store: kit.store,
      schema: SCHEMA,
    });
    const rebuilt = await rebuildProjection(unitBalancesProjection, {
      store: kit.store,
      intoSchema: 'balances_rebuild',
      batchSize: 500,
    });
    expect(rebuilt.digest.digest).toBe(live.digest);
    expect(rebuilt.digest.rowCounts).toEqual({ unit_balances: 8 });
    // Verification at the live checkpoint, as an operator runs it.
    const verified = await verifyUnitBalances({
      store: kit.store,
      ledgerSchema: SCHEMA,
      readModelSchema: SCHEMA,
      intoSchema: 'balances_verify_1',
    });
    expect(verified.matches).toBe(true);
    expect(verified.rebuilt.eventsApplied).toBeGreaterThan(40);
  });

  it('fails the check loudly when a live row was altered', async () => {
    await kit.pool.query(
      `UPDATE allocation.unit_balances SET allocated = allocated + 1, available = available + 1
        WHERE budget_id = $1 AND unit_id = 'web'`,
      [ENERGY],
    );
    const altered = await projectionDigest(unitBalancesProjection, {
      store: kit.store,
      schema: SCHEMA,
    });
    const rebuilt = await projectionDigest(unitBalancesProjection, {
      store: kit.store,
      schema: 'balances_rebuild',
    });
    expect(altered.digest).not.toBe(rebuilt.digest);
    await expect(
      verifyUnitBalances({
        store: kit.store,
        ledgerSchema: SCHEMA,
        readModelSchema: SCHEMA,
        intoSchema: 'balances_verify_2',
      }),
    ).rejects.toMatchObject({ code: 'READ.PROJECTION_MISMATCH' });
  });
});

describe('unit_balances projection on a corrupt account stream', () => {
  let kit: ReadTestKit;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    kit = await createReadTestKit('read_projection_bad');
  });
  afterAll(async () => {
    await moduleRef?.close();
    await kit?.close();
  });

  it('stops as failed, names the broken invariant, and turns readiness down', async () => {
    // A quota without AccountOpened: the fold refuses it instead of inventing a row.
    const orphan: EventToAppend = {
      type: 'QuotaAllocated',
      data: { budgetId: 'b1', unitId: 'u1', allocationId: 'a1', amount: '5', allocated: '5' },
    };
    await kit.store.appendToStream('account-2:b1:u1', [orphan]);
    const logLines: string[] = [];
    moduleRef = await startReadModule(
      kit,
      { idlePollMs: 10, initialBackoffMs: 1, maxBackoffMs: 5, maxConsecutiveFailures: 3 },
      logLines,
    );
    const status = moduleRef.get(ProjectionStatus);
    await waitFor(async () => (await status.status())[0]?.state === 'failed', {
      timeoutMs: 30_000,
      description: 'the projection to fail',
    });
    const [report] = await status.status();
    expect(report).toMatchObject({
      state: 'failed',
      consecutiveFailures: 3,
      lag: '1',
      lastError: { code: 'ALLOCATION.INVARIANT_VIOLATED' },
    });
    await expect(status.check()).rejects.toThrow(/unit-balances failed/);
    expect(await readUnitBalanceRows(pgExecutor(kit.pool), SCHEMA)).toEqual([]);
    expect(logLines.some((line) => line.includes('subscription failed permanently'))).toBe(true);
  });
});
