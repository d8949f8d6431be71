// Two allocation service processes (the built `node dist/apps/allocation/src/main.js`) on one
// database: hundreds of concurrent reservations for one unit never grant more than it has, and a
// commit racing the expiry of its reservation has exactly one outcome. Needs `npm run build`.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  client,
  createKey,
  prepareAllocationInfrastructure,
  startProcessInstance,
  type AllocationInfrastructure,
  type Client,
  type ServiceProcess,
} from './allocation-service';

jest.setTimeout(120_000);

const BUDGET = 'energy-race';
const UNIT = 'team';
const USE_CASE = 'support-triage';
/** Not a multiple of the amount, so the last grant leaves a remainder nobody can take. */
const AVAILABLE = 1004n;
const AMOUNT = 6n;
/** Σ requested = 3 × available. */
const REQUESTS = Number((3n * AVAILABLE) / AMOUNT);
const RACES = 20;
const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A reservation, or the refusal of a request about one (`code`, `details`). */
interface ReservationAnswer {
  reservationId: string;
  amount: string;
  available: string;
  status: string;
  expiresAt: string;
  committedAmount?: string;
  code?: string;
  details?: { available?: string; outcome?: string };
}
type Row = Record<string, string>;

describe('two allocation processes on one database', () => {
  let infrastructure: AllocationInfrastructure;
  const instances: ServiceProcess[] = [];
  /** One service key, used against both instances. */
  let callers: [Client, Client];
  /** Requests alternate between the two instances. */
  const callerFor = (index: number): Client => (index % 2 === 0 ? callers[0] : callers[1]);

  const rows = async <T extends Row>(sql: string, params: unknown[] = []) =>
    (await infrastructure.pool.query<T>(sql, params)).rows;

  beforeAll(async () => {
    infrastructure = await prepareAllocationInfrastructure('alloc_race');
    const [first, second] = await Promise.all([
      startProcessInstance(infrastructure),
      startProcessInstance(infrastructure),
    ]);
    instances.push(first, second);
    const admin = client(first.baseUrl, infrastructure.adminKey);
    const serviceKey = await createKey(admin, 'gateway', 'service');
    callers = [client(first.baseUrl, serviceKey), client(second.baseUrl, serviceKey)];

    const expectStatus = async (
      answer: Promise<{ status: number; body: unknown }>,
      status: number,
    ) => {
      const { status: actual, body } = await answer;
      if (actual !== status)
        throw new Error(`expected ${status}, got ${actual}: ${JSON.stringify(body)}`);
    };
    await expectStatus(
      admin.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }),
      201,
    );
    await expectStatus(
      admin.post('/v1/units', { unitId: UNIT, parentId: 'acme', name: 'Team' }),
      201,
    );
    await expectStatus(
      admin.post('/v1/use-cases', { useCase: USE_CASE, className: 'essential', description: 'x' }),
      201,
    );
    const now = Date.now();
    await expectStatus(
      admin.post('/v1/budgets', {
        budgetId: BUDGET,
        perimeterUnitId: 'acme',
        dimension: 'requests',
        period: { kind: 'range', startsOn: dateOf(now - DAY_MS), endsOn: dateOf(now + 2 * DAY_MS) },
        ceiling: '1000000',
      }),
      201,
    );
    await expectStatus(
      admin.post(`/v1/budgets/${BUDGET}/allocations`, {
        allocationId: 'round-1',
        amount: AVAILABLE.toString(),
        policies: {
          acme: {
            rule: { kind: 'static', members: [{ childId: UNIT, amount: AVAILABLE.toString() }] },
          },
        },
      }),
      201,
    );
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await infrastructure?.close();
  });

  it(`grants exactly floor(available / amount) of ${REQUESTS} concurrent reservations`, async () => {
    expect(REQUESTS).toBeGreaterThanOrEqual(500);
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, (_, index) =>
        callerFor(index).post<ReservationAnswer>('/v1/reservations', {
          reservationId: `burst-${index}`,
          unitId: UNIT,
          amount: AMOUNT.toString(),
          useCase: USE_CASE,
          timeoutMs: 600_000,
        }),
      ),
    );
    const granted = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status !== 201);
    // Every refusal says why and what is left; nothing else (no 500, no lost request).
    expect(new Set(refused.map((answer) => `${answer.status} ${answer.body.code}`))).toEqual(
      new Set(['422 QUOTA.EXCEEDED']),
    );
    for (const answer of refused)
      expect(BigInt(String(answer.body.details?.available))).toBeLessThan(AMOUNT);

    const grantedTotal = granted.reduce((sum, answer) => sum + BigInt(answer.body.amount), 0n);
    expect(grantedTotal).toBeLessThanOrEqual(AVAILABLE);
    expect(granted).toHaveLength(Number(AVAILABLE / AMOUNT));
    // What each grant saw left is distinct: the grants were serialised, across both processes.
    const availableAfter = granted.map((answer) => BigInt(answer.body.available));
    expect(new Set(availableAfter).size).toBe(granted.length);
    expect(availableAfter.reduce((low, value) => (value < low ? value : low))).toBe(
      AVAILABLE - grantedTotal,
    );

    // Both instances, the ledger and the index agree.
    for (const caller of callers) {
      const balance = await caller.get(`/v1/budgets/${BUDGET}/units/${UNIT}/balance`);
      expect(balance.body).toMatchObject({
        allocated: AVAILABLE.toString(),
        reserved: grantedTotal.toString(),
        committed: '0',
        available: (AVAILABLE - grantedTotal).toString(),
      });
    }
    const [ledger] = await rows<{ count: string; total: string }>(
      `SELECT count(*)::text AS count, coalesce(sum((data->>'amount')::bigint), 0)::text AS total
       FROM allocation.events WHERE event_type = 'QuotaReserved' AND data->>'unitId' = $1`,
      [UNIT],
    );
    expect(ledger).toEqual({ count: String(granted.length), total: grantedTotal.toString() });
    const [index] = await rows<{ count: string }>(
      `SELECT count(*)::text AS count FROM allocation.reservations WHERE status = 'pending'`,
    );
    expect(index?.count).toBe(String(granted.length));
    // A retry on the other instance returns the original answer.
    const first = granted[0] as { body: ReservationAnswer };
    const retried = await callers[1].post<ReservationAnswer>('/v1/reservations', {
      reservationId: first.body.reservationId,
      unitId: UNIT,
      amount: AMOUNT.toString(),
      useCase: USE_CASE,
      timeoutMs: 600_000,
    });
    expect(retried).toMatchObject({
      status: 201,
      body: { reservationId: first.body.reservationId, status: 'pending' },
    });

    // Release the burst so the races below have room.
    const releases = await Promise.all(
      granted.map((answer, index) =>
        callerFor(index).post(`/v1/reservations/${answer.body.reservationId}/release`),
      ),
    );
    expect(new Set(releases.map((answer) => answer.status))).toEqual(new Set([200]));
  });

  /** The outcome events the ledger holds for one reservation. */
  const outcomes = async (reservationId: string) =>
    (
      await rows<{ event_type: string }>(
        `SELECT event_type FROM allocation.events
         WHERE data->>'reservationId' = $1 AND event_type IN
           ('ReservationCommitted', 'ReservationExpired', 'ReservationReleased')`,
        [reservationId],
      )
    ).map((row) => row.event_type);

  it('gives a commit racing the expiry exactly one outcome, seen alike by both instances', async () => {
    const timeoutMs = 800;
    const races = await Promise.all(
      Array.from({ length: RACES }, async (_, index) => {
        const reservationId = `race-${index}`;
        const reserved = await callerFor(index).post<ReservationAnswer>('/v1/reservations', {
          reservationId,
          unitId: UNIT,
          amount: '10',
          useCase: USE_CASE,
          timeoutMs,
        });
        expect(reserved.status).toBe(201);
        // Both instances commit around the deadline (sent from 150 ms before to 50 ms after it:
        // a request takes a few tens of ms to be decided), while both instances' expirers sweep.
        const offsetMs = (index * 200) / (RACES - 1) - 150;
        await sleep(Math.max(0, Date.parse(reserved.body.expiresAt) - Date.now() + offsetMs));
        const commits = await Promise.all(
          callers.map((caller) =>
            caller.post<ReservationAnswer>(`/v1/reservations/${reservationId}/commit`, {
              amount: '7',
            }),
          ),
        );
        return { reservationId, commits };
      }),
    );
    const tally = { committed: 0, expired: 0 };
    for (const { reservationId, commits } of races) {
      const statuses = commits.map((answer) => answer.status).sort();
      const won = statuses[0] === 200;
      // Both commits tell the same story: committed (the second one reads the first's answer)
      // or refused as expired; a 200 and a 422 together would be two outcomes.
      if (won) {
        expect(statuses).toEqual([200, 200]);
        for (const answer of commits) {
          expect(answer.body).toMatchObject({ status: 'committed', committedAmount: '7' });
        }
      } else {
        for (const answer of commits) expect(lostToExpiry(answer)).toBe(true);
      }
      const final = await waitForFinal(reservationId);
      expect(final).toBe(won ? 'committed' : 'expired');
      expect(await outcomes(reservationId)).toEqual([
        won ? 'ReservationCommitted' : 'ReservationExpired',
      ]);
      for (const caller of callers) {
        expect(
          (await caller.get<ReservationAnswer>(`/v1/reservations/${reservationId}`)).body.status,
        ).toBe(final);
      }
      tally[won ? 'committed' : 'expired'] += 1;
    }
    expect(tally.committed + tally.expired).toBe(RACES);

    // The account agrees with the outcomes: 7 per committed race, nothing left reserved.
    for (const caller of callers) {
      const balance = await caller.get(`/v1/budgets/${BUDGET}/units/${UNIT}/balance`);
      expect(balance.body).toMatchObject({
        reserved: '0',
        committed: String(7 * tally.committed),
      });
    }
  });

  it('refuses a commit after the expirer expired the reservation, and never expires a committed one', async () => {
    const expiring = await callers[0].post<ReservationAnswer>('/v1/reservations', {
      reservationId: 'expire-first',
      unitId: UNIT,
      amount: '10',
      useCase: USE_CASE,
      timeoutMs: 1,
    });
    expect(expiring.status).toBe(201);
    expect(await waitForFinal('expire-first')).toBe('expired');
    const late = await callers[1].post<ReservationAnswer>('/v1/reservations/expire-first/commit', {
      amount: '1',
    });
    expect(lostToExpiry(late)).toBe(true);
    expect(await outcomes('expire-first')).toEqual(['ReservationExpired']);

    await callers[1].post('/v1/reservations', {
      reservationId: 'commit-first',
      unitId: UNIT,
      amount: '10',
      useCase: USE_CASE,
      timeoutMs: 1_500,
    });
    const committed = await callers[0].post<ReservationAnswer>(
      '/v1/reservations/commit-first/commit',
      {
        amount: '10',
      },
    );
    expect(committed.body).toMatchObject({ status: 'committed' });
    await sleep(2_500); // past the deadline: both expirers have swept at least once since
    expect(await outcomes('commit-first')).toEqual(['ReservationCommitted']);
  });

  /**
   * A commit that lost to the expiry: refused as expired (it reached the deadline first), or as
   * already finalised with outcome `expired` (the expiry was recorded before it arrived).
   */
  function lostToExpiry(answer: { status: number; body: ReservationAnswer }): boolean {
    return (
      (answer.status === 422 && answer.body.code === 'RESERVATION.EXPIRED') ||
      (answer.status === 409 &&
        answer.body.code === 'RESERVATION.ALREADY_FINALISED' &&
        answer.body.details?.outcome === 'expired')
    );
  }

  async function waitForFinal(reservationId: string): Promise<string> {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const answer = await callerFor(attempt).get<ReservationAnswer>(
        `/v1/reservations/${reservationId}`,
      );
      if (answer.body.status !== 'pending') return answer.body.status;
      await sleep(50);
    }
    throw new Error(`reservation ${reservationId} still pending after 10 s`);
  }
});
