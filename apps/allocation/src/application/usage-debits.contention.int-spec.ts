// A recorded usage whose inbox transaction waits on an account lock while a reservation batch
// appends to that account: the ledger refuses the usage's append for transaction order
// (RETRYABLE_TRANSACTION_ORDER) and the inbox must run it again, not fail the Kafka batch.
import { Inbox } from '@plafond/ledger';
import { Client } from 'pg';
import { accountStreamId } from '../domain';
import {
  ADMIN,
  createApplicationTestKit,
  SCHEMA,
  SERVICE,
  usage,
  type ApplicationTestKit,
} from './testing/application-test-kit';

jest.setTimeout(60_000);

const BUDGET = 'req-2026-03';

describe('usage debit waiting behind a reservation batch', () => {
  let kit: ApplicationTestKit;
  beforeAll(async () => {
    kit = await createApplicationTestKit('alloc_app_usage_contention');
    const { app } = kit;
    await app.organisation.createUnit(ADMIN, { unitId: 'org', parentId: null, name: 'org' });
    await app.catalog.registerUseCase(ADMIN, {
      useCase: 'chat',
      className: 'standard',
      description: 'Chat',
    });
    await app.budgets.open(ADMIN, {
      budgetId: BUDGET,
      perimeterUnitId: 'org',
      dimension: 'requests',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 1_000n,
    });
    await app.budgets.allocate(ADMIN, BUDGET, { allocationId: 'r1', amount: 1_000n, policies: {} });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('applies the usage even when a reservation appended to the account while it waited', async () => {
    const { app } = kit;
    const holder = new Client({ connectionString: kit.database.url });
    await holder.connect();
    const streamId = accountStreamId(BUDGET, 'org');
    const waiting = async () => {
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return rows[0]?.n ?? 0;
    };
    const until = async (n: number) => {
      while ((await waiting()) < n) await new Promise((r) => setTimeout(r, 20));
    };
    await holder.query('BEGIN');
    await holder.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [
      `plafond.allocation.stream:${SCHEMA}`,
      streamId,
    ]);
    const reserved = app.reservations.reserve(SERVICE, {
      reservationId: 'r-1',
      unitId: 'org',
      amount: 10n,
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    await until(1); // the batch queues on the lock first, with no transaction id yet
    const inbox = new Inbox({ store: app.store, schema: SCHEMA });
    const debited = inbox.consumeOnce('allocation.usage', 'gw#1', (tx) =>
      app.usage.apply(tx, usage({ unitId: 'org', requests: 5n }), {
        messageId: 'gw#1',
        actor: 'kafka:usage.recorded',
      }),
    );
    await until(2); // the usage queues behind it, its inbox row already written
    await holder.query('COMMIT');
    await holder.end();
    await expect(reserved).resolves.toMatchObject({ status: 'pending' });
    await expect(debited).resolves.toMatchObject({ applied: true });
    expect((await kit.account(BUDGET, 'org')).committed).toBe(5n);
  });
});
