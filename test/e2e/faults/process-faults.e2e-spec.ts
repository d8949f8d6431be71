// Process faults (issue 8, docs/faults.md): one distributed system — three real processes on real
// PostgreSQL and Kafka — a known stream of reservations and usage, and in turn each process fault
// the ledger must survive. Each phase arms a failpoint by restarting the target service with
// PLAFOND_FAILPOINTS, drives a slice of the stream, asserts the service died by SIGKILL at that
// point (its last stderr line names it), restarts it clean, drives on, and checks every total
// against the ground truth: nothing lost, nothing applied twice, no unit over its allocation,
// every ledger verified, every projection replayed to the same digest.
//
// Phases share the system (one start keeps CI time low), so each builds on the ones before and
// the truth accumulates. The hit counts are chosen so the crash lands mid-slice.
import { TOPICS, topicName } from '@plafond/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { startFaultSystem, type Exit, type FaultSystem, type ServiceName } from './fault-system';
import { expectConverged } from './invariants';
import { appliedButUncommitted, type InboxConsumerRef } from './redelivery';
import { Workload, type DriveOptions, type DriveReport } from './workload';

const SLICE: DriveOptions = { count: 40, concurrency: 4, rawEvery: 5 };
const CONVERGE = { timeoutMs: 120_000 } as const;
/** After a slice was sent, how long an asynchronous path may take to reach its point. */
const FIRE_WAIT_MS = 15_000;
/** Slices driven at most while waiting for an armed point to fire. */
const MAX_SLICES_TO_FIRE = 4;

interface CrashOutcome {
  readonly exit: Exit;
  /** The stderr line the failpoint wrote before the SIGKILL. */
  readonly firedLine: string | undefined;
  readonly report: DriveReport;
  /** Whatever the test looked at between the crash and the clean restart. */
  readonly atCrash: unknown;
}

describe('process faults: kill -9 at failpoints, and a second instance mid-stream', () => {
  let system: FaultSystem | undefined;
  let workload: Workload;

  const running = () => {
    if (system === undefined) throw new Error('the system did not start');
    return system;
  };

  /**
   * Restarts `service` armed with `point@hit`, drives slices until the failpoint's SIGKILL (a
   * point on an asynchronous path — relay, consumer, projection — is hit once per batch, and how
   * many items a batch gathers depends on the machine's pace, so one slice may not reach the hit),
   * looks at the wreck (`inspect`), restarts the service clean and lets the slices finish.
   */
  async function crashAt(
    service: ServiceName,
    point: string,
    hit: number,
    slice: DriveOptions = SLICE,
    inspect: () => Promise<unknown> = () => Promise.resolve(undefined),
  ): Promise<CrashOutcome> {
    const faults = running();
    await faults.restart(service, { env: { PLAFOND_FAILPOINTS: `${point}@${hit}` } });
    expect(faults.output()).toContain(`"failpoints":["${point}@${hit}"]`);
    const exited = faults.waitForExit(service, 0, 600_000);
    // Settled as values: a drive waits for the service to come back, and a failure of a drive
    // must surface below, not as an unhandled rejection.
    const drives: Promise<{ report: DriveReport } | { error: unknown }>[] = [];
    let fired = false;
    for (let sent = 0; sent < MAX_SLICES_TO_FIRE && !fired; sent += 1) {
      const driving = workload.drive(slice).then(
        (report) => ({ report }),
        (error: unknown) => ({ error }),
      );
      drives.push(driving);
      const first = await Promise.race([exited.then(() => 'exited'), driving.then(() => 'sent')]);
      // The slice is through: give an asynchronous path a bounded while to reach the point.
      fired =
        first === 'exited' ||
        (await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), FIRE_WAIT_MS)),
        ]));
    }
    if (!fired) {
      await faults.kill(service);
      await faults.restart(service);
      throw new Error(
        `${service}: failpoint ${point}@${hit} never fired in ${MAX_SLICES_TO_FIRE} slices`,
      );
    }
    const exit = await exited;
    const firedLine = faults
      .stderr(service)
      .find((line) => line.startsWith(`failpoint ${point} fired on hit ${hit}:`));
    const atCrash = await inspect();
    await faults.restart(service);
    const reports: DriveReport[] = [];
    for (const driven of await Promise.all(drives)) {
      if ('error' in driven) throw driven.error;
      reports.push(driven.report);
    }
    const report = {
      items: reports.reduce((sum, r) => sum + r.items, 0),
      retries: reports.reduce((sum, r) => sum + r.retries, 0),
      duplicates: reports.reduce((sum, r) => sum + r.duplicates, 0),
    };
    return { exit, firedLine, report, atCrash };
  }

  /** Records in a topic (all partitions), duplicates included. */
  async function recordsIn(topic: string): Promise<bigint> {
    const admin = new Kafka({
      clientId: `${running().topicPrefix}fault-suite`,
      brokers: [...running().brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n);
    } finally {
      await admin.disconnect();
    }
  }

  async function usageRecordedEvents(): Promise<bigint> {
    const [row] = await running().sql<{ n: string }>(
      `SELECT count(*) AS n FROM ingestion.events WHERE event_type = 'UsageRecorded'`,
    );
    return BigInt(row?.n ?? '0');
  }

  const expectKilledAt = (outcome: CrashOutcome, point: string) => {
    expect(outcome.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(outcome.firedLine).toMatch(new RegExp(`^failpoint ${point.replace('.', '\\.')} fired`));
  };

  beforeAll(async () => {
    system = await startFaultSystem({ label: 'procfault' });
    workload = await Workload.setUp(system);
  }, 180_000);

  afterAll(async () => {
    await system?.dispose();
  }, 60_000);

  it('a service refuses to start with a failpoint outside the catalogue', async () => {
    const faults = running();
    // An extra instance, so the system's own ingestion keeps serving.
    await faults.start('ingestion', {
      instance: 9,
      env: { PLAFOND_FAILPOINTS: 'ledger.after-comit@1' },
      waitReady: false,
    });
    expect(await faults.waitForExit('ingestion', 9)).toEqual({ code: 1, signal: null });
    expect(faults.stderr('ingestion', 9).join('\n')).toContain(
      "ingestion: PLAFOND_FAILPOINTS: unknown failpoint 'ledger.after-comit'; known: ledger.after-commit,",
    );
  });

  it('a clean stream converges (the baseline every phase is compared with)', async () => {
    await workload.drive(SLICE);
    await expectConverged(running(), workload.truth, CONVERGE);
  });

  it('ingestion killed between its database commit and its Kafka publish loses and doubles nothing', async () => {
    // Every usage ingestion records is one committing transaction: the 12th of this process.
    const outcome = await crashAt('ingestion', 'ledger.after-commit', 12, {
      ...SLICE,
      rawEvery: 0,
    });
    expectKilledAt(outcome, 'ledger.after-commit');
    // The request whose usage committed got no answer; sent again with the same id it is a
    // duplicate — recorded once, and published by the restarted relay.
    expect(outcome.report.duplicates).toBeGreaterThanOrEqual(1);
    await workload.drive(SLICE);
    await expectConverged(running(), workload.truth, CONVERGE);
  });

  it('ingestion killed after Kafka acked a batch, before its checkpoint: re-published, applied once', async () => {
    const topic = topicName(TOPICS.usageRecorded, running().topicPrefix);
    const surplusBefore = (await recordsIn(topic)) - (await usageRecordedEvents());
    // One hit per relay batch, and a busy relay gathers many usage into one batch: the 2nd batch
    // of this process, with two clients so appends (hence relay wake-ups) come one at a time.
    const outcome = await crashAt('ingestion', 'relay.after-publish', 2, {
      ...SLICE,
      concurrency: 2,
    });
    expectKilledAt(outcome, 'relay.after-publish');
    await workload.drive(SLICE);
    await expectConverged(running(), workload.truth, CONVERGE);
    // The restarted relay published the batch again: the topic holds more records than the
    // ledger has events, and allocation and billing still applied each usage once (above).
    const surplusAfter = (await recordsIn(topic)) - (await usageRecordedEvents());
    expect(surplusAfter).toBeGreaterThan(surplusBefore);
  });

  it("allocation killed between a usage message's inbox commit and its offset commit", async () => {
    const prefix = running().topicPrefix;
    const usage: InboxConsumerRef = {
      schema: 'allocation',
      groupId: `${prefix}allocation.usage`,
      topic: topicName(TOPICS.usageRecorded, prefix),
    };
    const outcome = await crashAt('allocation', 'inbox.after-commit', 10, SLICE, () =>
      appliedButUncommitted(running(), usage),
    );
    expectKilledAt(outcome, 'inbox.after-commit');
    // The wreck: usage already debited (in the inbox) whose offsets were never committed, so
    // Kafka delivered it again to the restarted consumer — and it was debited once (converged).
    expect(outcome.atCrash).toEqual(expect.arrayContaining([expect.any(String)]));
    await workload.drive(SLICE);
    await expectConverged(running(), workload.truth, CONVERGE);
  });

  it("billing killed between a message's inbox commit and its offset commit", async () => {
    const prefix = running().topicPrefix;
    // Billing's two consumers count hits together: usage, and allocation's events.
    const consumers: InboxConsumerRef[] = [
      {
        schema: 'billing',
        groupId: `${prefix}billing.usage`,
        topic: topicName(TOPICS.usageRecorded, prefix),
      },
      {
        schema: 'billing',
        groupId: `${prefix}billing.allocation`,
        topic: topicName(TOPICS.allocationEvents, prefix),
      },
    ];
    const outcome = await crashAt('billing', 'inbox.after-commit', 15, SLICE, async () => {
      const found: string[] = [];
      for (const consumer of consumers)
        found.push(...(await appliedButUncommitted(running(), consumer)));
      return found;
    });
    expectKilledAt(outcome, 'inbox.after-commit');
    expect(outcome.atCrash).toEqual(expect.arrayContaining([expect.any(String)]));
    await workload.drive(SLICE);
    await expectConverged(running(), workload.truth, CONVERGE);
  });

  it('allocation killed in the middle of a projection batch (unit balances) rebuilds to the same digest', async () => {
    const outcome = await crashAt('allocation', 'projection.mid-batch', 6);
    expectKilledAt(outcome, 'projection.mid-batch');
    await workload.drive(SLICE);
    // expectConverged replays the projection: the live rows equal a rebuild from the ledger.
    await expectConverged(running(), workload.truth, CONVERGE);
  });

  it('a second allocation and a second billing instance join mid-stream, then stop', async () => {
    const faults = running();
    const driving = workload.drive({ ...SLICE, count: 80, allocationInstances: [0, 1] });
    await faults.start('allocation', { instance: 1 });
    await faults.start('billing', { instance: 1 });
    // Reservations on both allocation instances; usage consumers rebalanced across both.
    await workload.drive({ ...SLICE, allocationInstances: [1, 0] });
    expect(await faults.stop('allocation', 1)).toEqual({ code: 0, signal: null });
    expect(await faults.stop('billing', 1)).toEqual({ code: 0, signal: null });
    await driving;
    await workload.drive(SLICE);
    await expectConverged(running(), workload.truth, CONVERGE);
    // The second instances took part: allocation#1 granted reservations, and each joined its
    // service's usage consumer group with partitions of its own (a rebalance).
    const lines = faults.output().split('\n');
    const reservedOnSecond = lines.filter(
      (line) =>
        line.startsWith('[allocation#1]') &&
        line.includes('"path":"/v1/reservations"') &&
        line.includes('"status":201'),
    );
    expect(reservedOnSecond.length).toBeGreaterThan(0);
    const usageTopic = topicName(TOPICS.usageRecorded, faults.topicPrefix);
    for (const service of ['allocation', 'billing'] as const) {
      const joined = lines
        .filter((line) => line.startsWith(`[${service}#1]`) && line.includes('joined the group'))
        .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>)
        .filter((entry) => entry.groupId === `${faults.topicPrefix}${service}.usage`);
      const partitions = joined.flatMap(
        (entry) =>
          (entry.memberAssignment as Record<string, number[]> | undefined)?.[usageTopic] ?? [],
      );
      expect({ service, joined: joined.length > 0, partitions: partitions.length > 0 }).toEqual({
        service,
        joined: true,
        partitions: true,
      });
    }
  });
});
