// Infrastructure faults (issue 8, docs/faults.md): the Kafka broker and PostgreSQL themselves go
// away mid-stream while the three services keep running. The suite starts its own broker and its
// own PostgreSQL cluster (infra/private-kafka.ts, infra/private-postgres.ts) — the shared ones on
// 9092 and 5432 serve every other suite and are never touched — then the distributed system on
// them, and drives the workload's known stream of reservations and usage through each fault:
//   - the broker stopped cleanly, then SIGKILLed: HTTP keeps accepting (PostgreSQL is the durable
//     store; usage waits in the ledger for the relay), readiness says `kafka` down, and once the
//     broker is back the relays publish and the consumers catch up;
//   - PostgreSQL crashed (immediate stop: WAL replay on start), then restarted (fast stop:
//     sessions terminated): requests meanwhile are answered 503 SERVICE.UNAVAILABLE, never 500,
//     and change nothing; the pools reconnect and the loops resume.
// After each: the totals equal the ground truth (nothing lost, nothing applied twice), no unit
// over its allocation, every ledger verified — and the same three processes still serve: an
// infrastructure restart must never need a service restart.
import { waitFor } from '@plafond/testing';
import { api, type Answer } from '../system/http';
import {
  SERVICE_NAMES,
  startFaultSystem,
  type FaultSystem,
  type ServiceName,
} from './fault-system';
import { startPrivateKafka, type PrivateKafka } from './infra/private-kafka';
import {
  startPrivatePostgres,
  type PrivatePostgres,
  type StopMode,
} from './infra/private-postgres';
import { expectConverged } from './invariants';
import { USE_CASE, Workload, type DriveOptions, type DriveReport } from './workload';

type Json = Record<string, unknown>;

const SLICE: DriveOptions = { count: 40, concurrency: 4, rawEvery: 5 };
/** Over HTTP only: what must go through while the broker is down. */
const DURING_BROKER_OUTAGE: DriveOptions = { count: 12, concurrency: 4, rawEvery: 0 };
const CONVERGE = { timeoutMs: 150_000 } as const;
/** Sent once PostgreSQL is down: over HTTP and the raw topic, all waiting for it. */
const DURING_DATABASE_OUTAGE: DriveOptions = { count: 8, concurrency: 4, rawEvery: 4 };
/** Items of the slice answered before the fault is injected: it lands mid-stream. */
const BEFORE_FAULT = 10;
const PROGRESS_BOUND_MS = 90_000;
/** How long PostgreSQL stays down while the stream keeps retrying against it. */
const DATABASE_OUTAGE_MS = 4_000;
const RECOVERY_BOUND_MS = 90_000;

interface Readiness {
  readonly status: number;
  readonly checks: Record<string, { status: string }>;
}

describe('infrastructure faults: the Kafka broker and PostgreSQL restarted mid-stream', () => {
  let kafka: PrivateKafka | undefined;
  let postgres: PrivatePostgres | undefined;
  let system: FaultSystem | undefined;
  let workload: Workload;

  const running = () => {
    if (system === undefined || kafka === undefined || postgres === undefined)
      throw new Error('the system did not start');
    return { system, kafka, postgres };
  };

  const readiness = async (service: ServiceName): Promise<Readiness> => {
    const response = await fetch(`${running().system.urls[service]}/health/ready`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { checks?: Readiness['checks'] };
    return { status: response.status, checks: body.checks ?? {} };
  };

  /** Every service reports `dependency` down on /health/ready (503). */
  const expectDown = async (dependency: 'kafka' | 'database') => {
    for (const service of SERVICE_NAMES) {
      const report = await readiness(service);
      expect({
        service,
        status: report.status,
        [dependency]: report.checks[dependency]?.status,
      }).toEqual({ service, status: 503, [dependency]: 'down' });
    }
  };

  /** Ready again, and still the very processes started in beforeAll: none needed a restart. */
  const expectRecoveredInPlace = async () => {
    for (const service of SERVICE_NAMES) {
      await waitFor(async () => (await readiness(service)).status === 200, {
        timeoutMs: RECOVERY_BOUND_MS,
        intervalMs: 500,
        description: `${service} ready again after the fault`,
      });
      expect({ service, running: running().system.isRunning(service) }).toEqual({
        service,
        running: true,
      });
    }
  };

  /** The slice runs in the background, settled as a value so a failure surfaces where awaited. */
  const driveInBackground = (options: DriveOptions) =>
    workload.drive(options).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
  const finished = async (
    driving: Promise<{ report: DriveReport } | { error: unknown }>,
  ): Promise<DriveReport> => {
    const outcome = await driving;
    if ('error' in outcome) throw outcome.error;
    return outcome.report;
  };

  /** Waits until `count` more usage items than now have their definitive answer. */
  const progressBy = async (count: number, what: string) => {
    const target = workload.truth.usage.size + count;
    await waitFor(() => workload.truth.usage.size >= target, {
      timeoutMs: PROGRESS_BOUND_MS,
      intervalMs: 100,
      description: `${count} items ${what}`,
    });
  };

  /** Service log lines (every process so far) that contain `text`. */
  const logged = (text: string) =>
    running()
      .system.output()
      .split('\n')
      .filter((line) => line.includes(text));
  /** No request failed as a defect: a 500 INTERNAL is logged as `request failed` at error. */
  const expectNoInternalErrors = () => {
    expect(logged('"msg":"request failed"')).toEqual([]);
  };
  const REFUSED_AS_OUTAGE = '"msg":"request refused: database unavailable"';

  beforeAll(async () => {
    [kafka, postgres] = await Promise.all([
      startPrivateKafka('infrafault'),
      startPrivatePostgres('infrafault'),
    ]);
    // Our own, never the shared broker or server: those serve every other suite.
    expect(kafka.brokers).not.toContain('127.0.0.1:9092');
    expect(kafka.pid()).toEqual(expect.any(Number));
    expect(postgres.port).not.toBe(5432);
    expect(postgres.pid()).toEqual(expect.any(Number));
    system = await startFaultSystem({
      label: 'infrafault',
      databaseAdminUrl: postgres.url,
      brokers: kafka.brokers,
    });
    workload = await Workload.setUp(system);
  }, 240_000);

  afterAll(async () => {
    // The database is dropped before its cluster goes, the topics' broker last.
    await system?.dispose().catch(() => undefined);
    await postgres?.dispose();
    await kafka?.dispose();
  }, 120_000);

  it('a clean stream converges on the private broker and PostgreSQL', async () => {
    await workload.drive(SLICE);
    await expectConverged(running().system, workload.truth, CONVERGE);
    expectNoInternalErrors();
  });

  describe.each([
    ['stopped cleanly', (broker: PrivateKafka) => broker.stop()],
    ['killed (SIGKILL)', (broker: PrivateKafka) => broker.kill()],
  ])('the Kafka broker %s mid-stream', (_how, takeDown) => {
    it('HTTP keeps accepting; once it is back nothing is lost or doubled', async () => {
      const { system: faults, kafka: broker } = running();
      const driving = driveInBackground(SLICE);
      await progressBy(BEFORE_FAULT, 'answered before the broker goes');
      await takeDown(broker);
      try {
        expect(broker.pid()).toBeUndefined();
        // Reservations and usage over HTTP need only PostgreSQL: a whole slice goes through.
        const relayBefore = await relayEventsBehind(faults);
        const during = await workload.drive(DURING_BROKER_OUTAGE);
        expect(during.items).toBe(DURING_BROKER_OUTAGE.count);
        // Its usage is recorded, waiting in ingestion's ledger for the relay.
        expect(await relayEventsBehind(faults)).toBeGreaterThanOrEqual(
          relayBefore + DURING_BROKER_OUTAGE.count,
        );
        await expectDown('kafka');
      } finally {
        // Also when an assertion above failed: the next phases need the broker.
        await broker.start();
      }
      await finished(driving);
      await expectRecoveredInPlace();
      await workload.drive(SLICE);
      await expectConverged(faults, workload.truth, CONVERGE);
      expectNoInternalErrors();
    });
  });

  describe.each([
    ['crashed (immediate stop, WAL replay on start)', 'immediate'],
    ['restarted (fast stop, sessions terminated)', 'fast'],
  ] as const)('PostgreSQL %s mid-stream', (_how, mode: StopMode) => {
    it('requests meanwhile get 503 SERVICE.UNAVAILABLE and change nothing; services recover in place', async () => {
      const { system: faults, postgres: database } = running();
      const refusedBefore = logged(REFUSED_AS_OUTAGE).length;
      const driving = driveInBackground(SLICE);
      await progressBy(BEFORE_FAULT, 'answered before PostgreSQL goes');
      await database.stop(mode);
      // Started while the database is away, so certainly caught in the outage: every item's
      // reservation needs PostgreSQL, and is retried with the same id until it is back.
      const duringOutage = driveInBackground(DURING_DATABASE_OUTAGE);
      let refused: Answer[] = [];
      try {
        expect(database.pid()).toBeUndefined();
        // A write and two reads, one per service, while the database is away: refused as an
        // outage. The reservation's id is in no truth: it must never be granted (expectConverged
        // compares every reservation in allocation's ledger with the truth).
        refused = await Promise.all([
          api(faults.urls.allocation, faults.adminKey).post('/v1/reservations', {
            reservationId: `infra-probe-${mode}`,
            unitId: workload.units[0],
            useCase: USE_CASE,
            amount: '1',
            timeoutMs: 60_000,
          }),
          api(faults.urls.ingestion, faults.adminKey).get('/v1/admin/ledger/verify'),
          api(faults.urls.billing, faults.adminKey).get('/v1/admin/ledger/verify'),
        ]);
        expect(
          refused.map((answer) => [
            answer.status,
            (answer.body as Json).code,
            answer.headers.get('retry-after'),
          ]),
        ).toEqual(refused.map(() => [503, 'SERVICE.UNAVAILABLE', '1']));
        await expectDown('database');
        // The stream keeps knocking (and being refused) for a while.
        await new Promise((resolve) => setTimeout(resolve, DATABASE_OUTAGE_MS));
      } finally {
        // Also when an assertion above failed: the next phases need the database.
        await database.start();
      }
      expect((await finished(duringOutage)).retries).toBeGreaterThan(0);
      await finished(driving);
      await expectRecoveredInPlace();
      await workload.drive(SLICE);
      await expectConverged(faults, workload.truth, CONVERGE);
      expectNoInternalErrors();
      // Every refusal was logged as an outage (a warning), not as a failure.
      expect(logged(REFUSED_AS_OUTAGE).length - refusedBefore).toBeGreaterThanOrEqual(
        refused.length,
      );
    });
  });
});

/** Events ingestion recorded that its relay has not published yet (read from PostgreSQL). */
async function relayEventsBehind(system: FaultSystem): Promise<number> {
  const answer = await api(system.urls.ingestion, system.adminKey).get<{
    relay?: { lag?: { eventsBehind?: number } };
  }>('/v1/admin/messaging');
  const behind = answer.body.relay?.lag?.eventsBehind;
  if (answer.status !== 200 || typeof behind !== 'number')
    throw new Error(`ingestion /v1/admin/messaging: ${answer.status} ${answer.text}`);
  return behind;
}
