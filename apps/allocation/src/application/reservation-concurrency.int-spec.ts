// The hot path under contention, at the service level: two ReservationService instances, each on
// its own connection pool, on one database — as two processes of the service would be.
import { Inbox } from '@plafond/ledger';
import { availableOf } from '../domain';
import {
  ADMIN,
  createApplicationTestKit,
  SCHEMA,
  SERVICE,
  usage,
  type ApplicationTestKit,
  type ServiceInstance,
} from './testing/application-test-kit';
import { ReservationService } from './reservation.service';
import type { ReservationView } from './views';

jest.setTimeout(180_000);

const BUDGET = 'requests-2026-03';
const AVAILABLE = 102_000n;
const AMOUNT = 600n;
const REQUESTS = 510; // Σ requested = 306 000 = 3 × available

async function seed(app: ServiceInstance): Promise<void> {
  await app.organisation.createUnit(ADMIN, { unitId: 'root', parentId: null, name: 'Root' });
  await app.organisation.createUnit(ADMIN, { unitId: 'hot', parentId: 'root', name: 'Hot team' });
  await app.organisation.createUnit(ADMIN, { unitId: 'cold', parentId: 'root', name: 'Cold team' });
  await app.catalog.registerUseCase(ADMIN, {
    useCase: 'chat',
    className: 'standard',
    description: 'Chat',
  });
  await app.budgets.open(ADMIN, {
    budgetId: BUDGET,
    perimeterUnitId: 'root',
    dimension: 'requests',
    period: { kind: 'month', month: '2026-03' },
    ceiling: 1_000_000n,
  });
  await app.budgets.allocate(ADMIN, BUDGET, {
    allocationId: 'round-1',
    amount: 1_000_000n,
    policies: {
      root: {
        rule: {
          kind: 'static',
          members: [
            { childId: 'hot', amount: AVAILABLE.toString() },
            { childId: 'cold', amount: (1_000_000n - AVAILABLE).toString() },
          ],
        },
      },
    },
  });
}

describe('reservations across two service instances on one database', () => {
  let kit: ApplicationTestKit;
  beforeAll(async () => {
    kit = await createApplicationTestKit('alloc_app_concurrency', { instances: 2, poolSize: 5 });
    await seed(kit.app);
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('grants exactly floor(available / amount) of 510 concurrent reservations and never overspends', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: REQUESTS }, (_, index) =>
        (kit.instances[index % 2] as ServiceInstance).reservations.reserve(SERVICE, {
          reservationId: `burst-${index}`,
          unitId: 'hot',
          amount: AMOUNT,
          useCase: 'chat',
          timeoutMs: 7 * 86_400_000, // the longest allowed: none expires during the race below
        }),
      ),
    );
    const granted = results.filter(
      (result): result is PromiseFulfilledResult<ReservationView> => result.status === 'fulfilled',
    );
    const refused = results.filter((result) => result.status === 'rejected');
    const codes = new Set(refused.map((result) => (result.reason as { code?: string }).code));
    expect(codes).toEqual(new Set(['QUOTA.EXCEEDED']));
    expect(granted).toHaveLength(Number(AVAILABLE / AMOUNT)); // 170
    const grantedTotal = granted.reduce((sum, result) => sum + BigInt(result.value.amount), 0n);
    expect(grantedTotal).toBeLessThanOrEqual(AVAILABLE);
    // Each grant saw a distinct remainder: the grants were decided one after the other.
    expect(new Set(granted.map((result) => result.value.available)).size).toBe(granted.length);

    const account = await kit.account(BUDGET, 'hot');
    expect(account.reserved).toBe(grantedTotal);
    expect(availableOf(account)).toBe(AVAILABLE - grantedTotal);
    const reservedEvents = (await kit.accountEvents(BUDGET, 'hot')).filter(
      (event) => event.type === 'QuotaReserved',
    );
    expect(reservedEvents).toHaveLength(granted.length);
    const { rows } = await kit.app.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM allocation.reservations WHERE unit_id = 'hot' AND status = 'pending'`,
    );
    expect(rows[0]?.count).toBe(granted.length);
  });

  it('decides a commit racing the expiry of the same reservation exactly one way, 20 times over', async () => {
    const [a, b] = kit.instances as [ServiceInstance, ServiceInstance];
    const outcomes = { committed: 0, expired: 0 };
    for (let round = 0; round < 20; round += 1) {
      const id = `race-${round}`;
      const start = new Date(Date.UTC(2026, 2, 11, 0, round));
      a.clock.set(start);
      b.clock.set(start);
      await a.reservations.reserve(SERVICE, {
        reservationId: id,
        unitId: 'cold',
        amount: 10n,
        useCase: 'chat',
        timeoutMs: 1_000,
      });
      // A commits 1 ms before the deadline by its clock; B's sweep runs at the deadline by its own.
      a.clock.set(start.getTime() + 999);
      b.clock.set(start.getTime() + 1_000);
      const [commit, sweep] = await Promise.allSettled([
        a.reservations.commit(SERVICE, id, 7n),
        b.expirer.expireDue(),
      ]);
      const events = (await kit.accountEvents(BUDGET, 'cold')).filter(
        (event) =>
          ['ReservationCommitted', 'ReservationExpired', 'ReservationReleased'].includes(
            event.type,
          ) && (event.data as { reservationId: string }).reservationId === id,
      );
      expect(events).toHaveLength(1);
      const stored = await a.reservations.get(id);
      if (events[0]?.type === 'ReservationCommitted') {
        outcomes.committed += 1;
        expect(commit).toMatchObject({
          status: 'fulfilled',
          value: { status: 'committed', committedAmount: '7' },
        });
        expect(sweep).toMatchObject({ status: 'fulfilled', value: 0 });
        expect(stored.status).toBe('committed');
      } else {
        outcomes.expired += 1;
        expect(events[0]?.type).toBe('ReservationExpired');
        expect(commit).toMatchObject({
          status: 'rejected',
          reason: { code: 'RESERVATION.ALREADY_FINALISED' },
        });
        expect(sweep).toMatchObject({ status: 'fulfilled', value: 1 });
        expect(stored.status).toBe('expired');
      }
    }
    expect(outcomes.committed + outcomes.expired).toBe(20);
    process.stdout.write(`commit vs expiry: ${JSON.stringify(outcomes)}\n`);
    const account = await kit.account(BUDGET, 'cold');
    expect(account.pendingCount).toBe(0);
    expect(account.committed).toBe(7n * BigInt(outcomes.committed));
  });

  it('refuses beyond its bounded queue with a retryable RESERVATION.BUSY, granting the rest', async () => {
    const small = new ReservationService(kit.app.store, kit.app.clock.read, {
      maxQueued: 5,
      runExpirer: false,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        small.reserve(SERVICE, {
          reservationId: `busy-${index}`,
          unitId: 'cold',
          amount: 1n,
          useCase: 'chat',
          timeoutMs: 60_000,
        }),
      ),
    );
    // Admitted at the call, before any I/O: the first five are granted, the other seven refused.
    expect(results.map((result) => result.status)).toEqual([
      ...Array<string>(5).fill('fulfilled'),
      ...Array<string>(7).fill('rejected'),
    ]);
    for (const result of results.slice(5))
      expect(result).toMatchObject({
        reason: { code: 'RESERVATION.BUSY', retryable: true, details: { limit: 5 } },
      });
    // A refused call changed nothing: retried later with the same id, it is granted.
    const retryIndex = results.findIndex((result) => result.status === 'rejected');
    expect(
      await small.reserve(SERVICE, {
        reservationId: `busy-${retryIndex}`,
        unitId: 'cold',
        amount: 1n,
        useCase: 'chat',
        timeoutMs: 60_000,
      }),
    ).toMatchObject({ status: 'pending' });
  });

  it('decides on a remembered account state only once caught up with what other writers appended', async () => {
    const [a, b] = kit.instances as [ServiceInstance, ServiceInstance];
    const request = (reservationId: string, amount: bigint) => ({
      reservationId,
      unitId: 'cold',
      amount,
      useCase: 'chat',
      timeoutMs: 7 * 86_400_000,
    });
    // A decides on cold and remembers its state; then another instance reserves and a usage is
    // debited there, neither through A.
    await a.reservations.reserve(SERVICE, request('caught-a1', 1n));
    await b.reservations.reserve(SERVICE, request('caught-b1', 1_000n));
    const inbox = new Inbox({ store: b.store, schema: SCHEMA });
    await inbox.consumeOnce('allocation.usage', 'caught#1', (tx) =>
      b.usage.apply(tx, usage({ unitId: 'cold', requests: 5_000n }), {
        messageId: 'caught#1',
        actor: 'kafka:usage.recorded',
      }),
    );
    const available = availableOf(await kit.account(BUDGET, 'cold'));
    // A remembered state that missed either write would grant one more than is there.
    await expect(
      a.reservations.reserve(SERVICE, request('caught-a2', available + 1n)),
    ).rejects.toMatchObject({
      code: 'QUOTA.EXCEEDED',
      details: { available: available.toString() },
    });
    await expect(
      a.reservations.reserve(SERVICE, request('caught-a3', available)),
    ).resolves.toMatchObject({ status: 'pending', available: '0' });
    // A releases what B granted (looked up), B what A granted: both accounts of the same state.
    await expect(a.reservations.release(SERVICE, 'caught-b1')).resolves.toMatchObject({
      status: 'released',
      available: '1000',
    });
    await expect(b.reservations.release(SERVICE, 'caught-a3')).resolves.toMatchObject({
      status: 'released',
      available: (available + 1_000n).toString(),
    });
    expect(availableOf(await kit.account(BUDGET, 'cold'))).toBe(available + 1_000n);
  });
});
