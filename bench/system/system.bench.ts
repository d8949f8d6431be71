// `npm run bench -- system`: the three services as real processes (distributed: PostgreSQL and
// the Kafka broker on 127.0.0.1:9092), measured in one run against their baselines — raw COPY,
// multi-row INSERT, a raw kafkajs producer with acks=all, an empty NestJS route and a naive
// row-lock reservation service — all in one fresh database, under one HTTP load driver
// (bench/support/http-load.ts). Writes bench/results/system.json and system.environment.json.
// What each figure means: bench/README.md, "system".
import { TOPICS, topicName } from '@plafond/contracts';
import { generateApiKey } from '@plafond/platform';
import { freePort, kafkaBrokers, uniqueTopicPrefix } from '@plafond/testing';
import { Kafka, logLevel } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  baseEnvironment,
  exitWithin,
  killIfRunning,
  SERVICE_NAMES,
  serviceEntryPoint,
  startProcess,
  type RunningProcess,
  type ServiceName,
} from '../../test/e2e/processes';
import {
  migrateAndProvision,
  serviceEnvironment,
  waitUntilReady,
} from '../../test/e2e/system/distributed';
import {
  expectStatus,
  json,
  perimeterNames,
  setUpPerimeter,
  USAGE_ENERGY,
  USAGE_MODEL,
  usageFields,
} from '../../test/e2e/system/perimeter';
import { createBenchDatabase, postgresVersion } from '../support/bench-database';
import {
  compare,
  machineDescription,
  writeResults,
  type BenchResult,
} from '../support/bench-result';
import { closedLoop, httpTarget, openLoop, percentile, send } from '../support/http-load';
import { copyFrom } from '../support/pg-copy';

const SIZES = {
  /** Usage rows for COPY, INSERT, the raw producer and end-to-end ingestion. */
  usageRows: 5_000,
  /** Rows per POST /v1/usage, per multi-row INSERT and per producer send. */
  batch: 1_000,
  /** Concurrent POST /v1/usage of the end-to-end run. */
  ingestPosters: 4,
  /** Concurrent HTTP clients of the reservation and empty-route runs. */
  clients: 200,
  units: 100,
  /** Each closed-loop run (the reservation contenders: each of their rounds). */
  loadMs: 6_000,
  /** Rounds of the hot, spread and row-lock reservation runs (figures: their medians). */
  reserveRounds: 3,
  /**
   * The latency run's fixed rate, as a share of the spread throughput just measured (a rate
   * above what the service sustains measures its queue, not its latency), and its length.
   */
  latencyRateShare: 0.5,
  latencyMs: 5_000,
  /** Reservations the drain unit's allocation holds exactly (the overspend check). */
  drainCapacity: 500,
} as const;

const DAY_MS = 86_400_000;
const PERIMETER = 'bench';
const { budgetId: BUDGET, useCase: USE_CASE, source: SOURCE } = perimeterNames(PERIMETER);
const PER_UNIT = 1_000_000_000_000n;
const RESERVE_AMOUNT = '1000';
const DRAIN_AMOUNT = (PER_UNIT / BigInt(SIZES.drainCapacity)).toString();
const UNITS = Array.from({ length: SIZES.units }, (_, i) => `u${String(i).padStart(3, '0')}`);
const HOT = UNITS[0]!;
const DRAIN = 'drain';

const log = (message: string) => process.stdout.write(`[system] ${message}\n`);

/**
 * Options after the suite name, for iterating on one part (a partial run writes no results file):
 *   --only=e2e            setup, the COPY / INSERT / producer baselines and end-to-end ingestion only;
 *   --only=reserve        setup and the reservation phases only (hot, spread, row lock, overspend,
 *                         latency), figures printed;
 *   --cpu-prof=<dir>      allocation runs profiled (bench/support/cpu-profile.js), profile written to
 *                         <dir> at exit;
 *                         in a full run every service does, and no results file is written (the
 *                         profiler slows the services down).
 */
function benchOptions(argv: readonly string[]): {
  only?: 'reserve' | 'e2e';
  cpuProfDir?: string;
} {
  const value = (name: string) =>
    argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = value('only');
  if (only !== undefined && only !== 'reserve' && only !== 'e2e')
    throw new Error(`--only=${only}: the system bench knows --only=reserve and --only=e2e`);
  const cpuProfDir = value('cpu-prof');
  return {
    ...(only === undefined ? {} : { only }),
    ...(cpuProfDir === undefined ? {} : { cpuProfDir: path.resolve(cpuProfDir) }),
  };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Peak resident set (VmHWM) of a live process, MiB. */
function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib === undefined ? Number.NaN : Number(kib) / 1024;
}

/** CPU seconds (user + system) a live process has used so far; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Waits (at most 90 s) until the given processes together use under 10 % of one core over a
 * second: background work of the previous phase (consumers, relays, projections catching up)
 * must not be measured as the next phase's cost. Returns the seconds waited.
 */
async function settle(pids: readonly (number | undefined)[]): Promise<number> {
  const started = Date.now();
  const total = (): number => pids.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0);
  for (;;) {
    const before = total();
    await sleep(1000);
    if (total() - before < 0.1 || Date.now() - started > 90_000)
      return (Date.now() - started) / 1000;
  }
}

function kafkaVersion(): string {
  try {
    const out = execFileSync('bash', ['scripts/kafka.sh', 'status'], { encoding: 'utf8' });
    return /Kafka (\S+),/.exec(out)?.[1] ?? out.trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface UsageRow {
  id: string;
  unitId: string;
  occurredAt: string;
}

function usageRows(prefix: string, count: number, at: number): UsageRow[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    unitId: UNITS[i % UNITS.length]!,
    occurredAt: new Date(at - (i % 1000)).toISOString(),
  }));
}

const usageItem = (row: UsageRow) => ({
  id: row.id,
  ...usageFields(USE_CASE, row.unitId, row.occurredAt),
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function runSystemBench(): Promise<void> {
  const options = benchOptions(process.argv.slice(2));
  const database = await createBenchDatabase('system');
  const prefix = uniqueTopicPrefix('bench-system');
  const brokers = kafkaBrokers();
  const processes: Partial<Record<ServiceName | 'baseline', RunningProcess>> = {};
  const sql = new Client({ connectionString: database.url });
  const results: BenchResult[] = [];
  const notes: Record<string, unknown> = {};
  try {
    const pgVersion = await postgresVersion(database.url);
    await sql.connect();

    // --- the system, as users run it distributed ---------------------------------------------
    const storage = { databaseUrl: database.url, brokers, topicPrefix: prefix };
    await migrateAndProvision(storage, 120_000);
    const adminKey = generateApiKey().key;
    const ports: Record<ServiceName | 'baseline', number> = {
      allocation: await freePort(),
      ingestion: await freePort(),
      billing: await freePort(),
      baseline: await freePort(),
    };
    for (const service of SERVICE_NAMES) {
      processes[service] = startProcess(serviceEntryPoint(service), {
        ...serviceEnvironment(service, storage, { port: ports[service], adminKey }),
        NODE_ENV: 'production',
        INGEST_MAX_LATENESS_MS: String(2 * DAY_MS),
        INGEST_DEDUP_WINDOW_MS: String(3 * DAY_MS),
        LOG_LEVEL: 'warn',
        ...(options.cpuProfDir !== undefined &&
        (service === 'allocation' || options.only !== 'reserve')
          ? {
              // Node 20 refuses --cpu-prof in NODE_OPTIONS: a preload profiles instead.
              NODE_OPTIONS: `--require ${path.join(__dirname, '..', 'support', 'cpu-profile.js')}`,
              BENCH_CPU_PROF_DIR: options.cpuProfDir,
            }
          : {}),
      });
    }
    // The baselines' NestJS process, same pool size as a service (DATABASE_POOL_MAX default 10).
    await sql.query(`CREATE SCHEMA bench_rowlock;
      CREATE TABLE bench_rowlock.balances (unit_id text PRIMARY KEY, allocated bigint NOT NULL,
        reserved bigint NOT NULL DEFAULT 0);
      CREATE TABLE bench_rowlock.reservations (reservation_id text PRIMARY KEY,
        unit_id text NOT NULL, amount bigint NOT NULL, status text NOT NULL)`);
    await sql.query(
      `INSERT INTO bench_rowlock.balances (unit_id, allocated)
       SELECT unnest($1::text[]), $2::bigint`,
      [[...UNITS, DRAIN], PER_UNIT.toString()],
    );
    processes.baseline = startProcess(path.join(__dirname, 'baseline-app.ts'), {
      ...baseEnvironment(),
      NODE_ENV: 'production',
      NODE_OPTIONS: `--require ${path.join(__dirname, '..', 'swc-register.js')}`,
      PORT: String(ports.baseline),
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '10',
    });
    const url = (name: ServiceName | 'baseline') => `http://127.0.0.1:${ports[name]}`;
    for (const name of [...SERVICE_NAMES, 'baseline'] as const) {
      const running = processes[name];
      if (running === undefined) throw new Error(`${name} was not started`);
      await waitUntilReady(
        url(name),
        running,
        name,
        name === 'baseline' ? '/empty' : '/health/ready',
      );
    }
    log('services ready');

    // --- one perimeter, 100 units + the drain unit, 10^12 µWh each ---------------------------
    // The drain gets no warm-up usage: its allocation must hold exactly drainCapacity reservations.
    const perimeter = await setUpPerimeter(
      {
        urls: {
          allocation: url('allocation'),
          ingestion: url('ingestion'),
          billing: url('billing'),
        },
        adminKey,
      },
      {
        query: async <Row extends Record<string, unknown>>(text: string, params?: unknown[]) =>
          (await sql.query<Row>(text, params)).rows,
      },
      {
        name: PERIMETER,
        units: [...UNITS, DRAIN],
        perUnit: PER_UNIT,
        warmupUnits: UNITS,
        clients: SIZES.clients,
        posters: SIZES.ingestPosters,
      },
    );
    const { gateway, integrator, warmupUsage } = perimeter;
    const {
      allocation: adminAllocation,
      ingestion: adminIngestion,
      billing: adminBilling,
    } = perimeter.admin;
    log('perimeter ready');
    const pids = Object.values(processes).map((running) => running?.child.pid);
    const settled: Record<string, number> = {};
    const quiet = async (phase: string) => {
      settled[phase] = await settle(pids);
    };
    notes.settleSeconds = settled;
    await quiet('baselines');

    // --- baselines -----------------------------------------------------------------------------
    const rows = usageRows('e2e', SIZES.usageRows, Date.now());
    const baselineTarget = httpTarget(url('baseline'), SIZES.clients);
    const empty = await closedLoop(SIZES.clients, SIZES.loadMs / 2, async () => {
      const answer = await send(baselineTarget, 'GET', '/empty');
      return answer.status === 200 ? 'done' : String(answer.status);
    });
    results.push(
      compare(
        'nest.empty_route',
        empty.ratePerSecond,
        'req/s',
        'nest.empty_route',
        empty.ratePerSecond,
      ),
    );
    log(`empty route ${Math.round(empty.ratePerSecond)} req/s`);

    await sql.query(`CREATE TABLE bench_copy (id text, unit_id text, use_case text, model text,
      region text, requests bigint, energy bigint, occurred_at timestamptz)`);
    await sql.query('CREATE TABLE bench_insert (LIKE bench_copy)');
    const copyText = rows
      .map(
        (row) =>
          `${row.id}\t${row.unitId}\t${USE_CASE}\t${USAGE_MODEL}\tfr\t1\t${USAGE_ENERGY}\t${row.occurredAt}\n`,
      )
      .join('');
    let started = performance.now();
    await copyFrom(sql, 'COPY bench_copy FROM STDIN', copyText);
    const copyRate = rows.length / ((performance.now() - started) / 1000);
    started = performance.now();
    for (const batch of chunks(rows, SIZES.batch)) {
      const values: string[] = [];
      const params: unknown[] = [];
      for (const row of batch) {
        const n = params.length;
        values.push(
          `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8})`,
        );
        params.push(
          row.id,
          row.unitId,
          USE_CASE,
          USAGE_MODEL,
          'fr',
          1,
          USAGE_ENERGY.toString(),
          row.occurredAt,
        );
      }
      await sql.query(`INSERT INTO bench_insert VALUES ${values.join(', ')}`, params);
    }
    const insertRate = rows.length / ((performance.now() - started) / 1000);
    const copied = await sql.query<{ c: string; i: string }>(
      'SELECT (SELECT count(*) FROM bench_copy)::text AS c, (SELECT count(*) FROM bench_insert)::text AS i',
    );
    if (copied.rows[0]?.c !== String(rows.length) || copied.rows[0]?.i !== String(rows.length))
      throw new Error(`COPY/INSERT row counts: ${JSON.stringify(copied.rows[0])}`);
    results.push(compare('pg.copy', copyRate, 'rows/s', 'pg.copy', copyRate));
    results.push(compare('pg.insert.batch1000', insertRate, 'rows/s', 'pg.copy', copyRate));
    log(`COPY ${Math.round(copyRate)} rows/s, INSERT ${Math.round(insertRate)} rows/s`);

    const kafka = new Kafka({ clientId: `${prefix}bench`, brokers, logLevel: logLevel.NOTHING });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const rawTopic = topicName(TOPICS.usageRaw, prefix);
    const [rawMeta] = (await kafkaAdmin.fetchTopicMetadata({ topics: [rawTopic] })).topics;
    const baselineTopic = `${prefix}bench.producer`;
    await kafkaAdmin.createTopics({
      topics: [
        {
          topic: baselineTopic,
          numPartitions: rawMeta?.partitions.length ?? 1,
          replicationFactor: 1,
        },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    started = performance.now();
    for (const batch of chunks(rows, SIZES.batch))
      await producer.send({
        topic: baselineTopic,
        acks: -1,
        messages: batch.map((row) => ({
          key: row.unitId,
          headers: { 'content-type': 'application/cloudevents+json' },
          value: JSON.stringify({
            specversion: '1.0',
            id: row.id,
            source: SOURCE,
            type: 'org.plafond.usage.reported.v1',
            datacontenttype: 'application/json',
            data: usageItem(row),
          }),
        })),
      });
    const producerRate = rows.length / ((performance.now() - started) / 1000);
    await producer.disconnect();
    await kafkaAdmin.deleteTopics({ topics: [baselineTopic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    results.push(compare('kafka.produce.acks_all', producerRate, 'msg/s', 'pg.copy', copyRate));
    log(`raw producer ${Math.round(producerRate)} msg/s`);

    if (options.only === 'e2e') {
      await endToEnd();
      for (const result of results) log(JSON.stringify(result));
      log(`--only=e2e: ${JSON.stringify({ ...(notes.e2e as object), messaging: undefined })}`);
      log('--only=e2e: partial run, no results file written');
      return;
    }

    // --- reservations ------------------------------------------------------------------------
    let reservationSeq = 0;
    const nextId = (tag: string) => `${tag}-${(reservationSeq += 1)}`;
    /** reserve → release on allocation; 'done' for a granted reservation (released after). */
    const plafondCycle = (unit: (client: number) => string) => async (client: number) => {
      const reservationId = nextId('r');
      const answer = await send(gateway, 'POST', '/v1/reservations', {
        reservationId,
        unitId: unit(client),
        useCase: USE_CASE,
        amount: RESERVE_AMOUNT,
        timeoutMs: 600_000,
      });
      if (answer.status !== 201) return `${answer.status} ${answer.body.slice(0, 80)}`;
      const released = await send(gateway, 'POST', `/v1/reservations/${reservationId}/release`, {});
      return released.status === 200 ? 'done' : `release ${released.status}`;
    };
    const rowlockCycle = (unit: (client: number) => string) => async (client: number) => {
      const reservationId = nextId('n');
      const answer = await send(baselineTarget, 'POST', '/rowlock/reservations', {
        reservationId,
        unitId: unit(client),
        amount: RESERVE_AMOUNT,
      });
      if (answer.status !== 201) return String(answer.status);
      const released = await send(
        baselineTarget,
        'POST',
        `/rowlock/reservations/${reservationId}/release`,
      );
      return released.status === 200 ? 'done' : `release ${released.status}`;
    };
    const randomUnit = () => UNITS[Math.floor(Math.random() * UNITS.length)]!;
    // Rounds of the three contenders in an order that rotates, each figure the median of its
    // rounds: on a shared host the load drifts, and one run each would bill the drift to whoever
    // ran at the wrong moment. With each round, the CPU time the serving process used per cycle.
    const contenders = {
      spread: { cycle: plafondCycle(randomUnit), pid: processes.allocation?.child.pid },
      hot: { cycle: plafondCycle(() => HOT), pid: processes.allocation?.child.pid },
      rowlock: { cycle: rowlockCycle(() => HOT), pid: processes.baseline?.child.pid },
    };
    type Contender = keyof typeof contenders;
    const order: Contender[] = ['spread', 'hot', 'rowlock'];
    const rounds: Record<Contender, { rate: number; cpuMsPerCycle: number; other: object }[]> = {
      spread: [],
      hot: [],
      rowlock: [],
    };
    for (let round = 0; round < SIZES.reserveRounds; round++) {
      for (let turn = 0; turn < order.length; turn++) {
        const name = order[(round + turn) % order.length]!;
        const { cycle, pid } = contenders[name];
        await quiet(`reserve.${name}.${round}`);
        const cpuBefore = cpuSeconds(pid);
        const run = await closedLoop(SIZES.clients, SIZES.loadMs, cycle);
        const cpuMsPerCycle = ((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, run.done);
        rounds[name].push({ rate: run.ratePerSecond, cpuMsPerCycle, other: run.other });
        log(
          `round ${round} ${name} ${Math.round(run.ratePerSecond)}/s, ${cpuMsPerCycle.toFixed(2)} ms CPU/cycle ${JSON.stringify(run.other)}`,
        );
      }
    }
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)] ?? 0;
    };
    const medianRate = (name: Contender) => ({
      ratePerSecond: median(rounds[name].map((run) => run.rate)),
      cpuMsPerCycle: median(rounds[name].map((run) => run.cpuMsPerCycle)),
    });
    const spread = medianRate('spread');
    const hot = medianRate('hot');
    const rowlock = medianRate('rowlock');
    notes.reservationRuns = { rounds, median: { spread, hot, rowlock } };
    log(`reservation medians ${JSON.stringify({ spread, hot, rowlock })}`);
    results.push(
      compare(
        'reserve.hot_vs_spread',
        hot.ratePerSecond,
        'reservations/s',
        'reserve.spread',
        spread.ratePerSecond,
      ),
      compare(
        'reserve.hot_vs_rowlock',
        hot.ratePerSecond,
        'reservations/s',
        'rowlock.hot',
        rowlock.ratePerSecond,
      ),
      // CPU of the serving process only (PostgreSQL's is not counted); ratio > 1 = costlier.
      compare(
        'reserve.hot.cpu_us_per_cycle',
        hot.cpuMsPerCycle * 1000,
        'µs CPU (reserve then release)',
        'rowlock.hot.cpu_us_per_cycle',
        rowlock.cpuMsPerCycle * 1000,
      ),
    );

    // Every granted reservation was released: nothing may stay reserved, on either side.
    const hotBalance = json<{ allocated: string; reserved: string; available: string }>(
      await expectStatus(
        send(adminAllocation, 'GET', `/v1/budgets/${BUDGET}/units/${HOT}/balance`),
        200,
        'hot balance',
      ),
    );
    const rowlockHot = await sql.query<{ reserved: string }>(
      `SELECT reserved::text FROM bench_rowlock.balances WHERE unit_id = $1`,
      [HOT],
    );
    notes.afterLoad = { plafondHot: hotBalance, rowlockHotReserved: rowlockHot.rows[0]?.reserved };

    // Overspend: the drain unit holds exactly drainCapacity reservations; 200 clients reserve
    // without releasing until refused. Granted must be exactly drainCapacity on both sides.
    const drain = async (cycle: (client: number) => Promise<boolean>) => {
      let granted = 0;
      let refusedBy = 0;
      await Promise.all(
        Array.from({ length: SIZES.clients }, async (_, client) => {
          for (;;) {
            if (!(await cycle(client))) {
              refusedBy += 1;
              return;
            }
            granted += 1;
          }
        }),
      );
      return { granted, refusedBy };
    };
    const plafondDrain = await drain(async () => {
      const answer = await send(gateway, 'POST', '/v1/reservations', {
        reservationId: nextId('d'),
        unitId: DRAIN,
        useCase: USE_CASE,
        amount: DRAIN_AMOUNT,
        timeoutMs: 600_000,
      });
      if (answer.status === 201) return true;
      if (answer.status === 422) return false;
      throw new Error(`drain: ${answer.status} ${answer.body}`);
    });
    const rowlockDrain = await drain(async () => {
      const answer = await send(baselineTarget, 'POST', '/rowlock/reservations', {
        reservationId: nextId('dn'),
        unitId: DRAIN,
        amount: DRAIN_AMOUNT,
      });
      if (answer.status === 201) return true;
      if (answer.status === 422) return false;
      throw new Error(`rowlock drain: ${answer.status} ${answer.body}`);
    });
    const drainBalance = json<{ allocated: string; reserved: string; available: string }>(
      await expectStatus(
        send(adminAllocation, 'GET', `/v1/budgets/${BUDGET}/units/${DRAIN}/balance`),
        200,
        'drain balance',
      ),
    );
    const overspend = {
      capacity: SIZES.drainCapacity,
      plafond: { ...plafondDrain, balance: drainBalance },
      rowlock: rowlockDrain,
      ok:
        plafondDrain.granted === SIZES.drainCapacity &&
        rowlockDrain.granted === SIZES.drainCapacity &&
        BigInt(drainBalance.reserved) <= BigInt(drainBalance.allocated) &&
        hotBalance.reserved === '0' &&
        rowlockHot.rows[0]?.reserved === '0',
    };
    notes.overspend = overspend;
    log(`overspend check ${JSON.stringify(overspend)}`);
    if (!overspend.ok) throw new Error(`overspend check failed: ${JSON.stringify(overspend)}`);

    // Latency at a fixed rate, reservations spread over the 100 units, each released after.
    const latencyRate = Math.max(5, Math.round(spread.ratePerSecond * SIZES.latencyRateShare));
    const latencyRun = async (cycle: (client: number) => Promise<string>) => {
      const timed = await openLoop(latencyRate, SIZES.latencyMs, () => cycle(0));
      return {
        p50: percentile(timed.latenciesMs, 50),
        p99: percentile(timed.latenciesMs, 99),
        outcomes: timed.outcomes,
      };
    };
    await quiet('latency');
    const plafondLatency = await latencyRun(plafondCycle(randomUnit));
    const rowlockLatency = await latencyRun(rowlockCycle(randomUnit));
    notes.latency = { rate: latencyRate, plafond: plafondLatency, rowlock: rowlockLatency };
    log(`latency ${JSON.stringify(notes.latency)}`);
    // Latencies keep the format (ratio = value / baseline): above 1 means slower than the baseline.
    results.push(
      compare(
        'reserve.p50_us',
        plafondLatency.p50 * 1000,
        'µs (reserve then release)',
        'rowlock.p50_us',
        rowlockLatency.p50 * 1000,
      ),
      compare(
        'reserve.p99_us',
        plafondLatency.p99 * 1000,
        'µs (reserve then release)',
        'rowlock.p99_us',
        rowlockLatency.p99 * 1000,
      ),
    );

    if (options.only === 'reserve') {
      for (const result of results) log(JSON.stringify(result));
      log('--only=reserve: partial run, no results file written');
      return;
    }

    // --- end-to-end ingestion ----------------------------------------------------------------
    // A function so that --only=e2e can run it right after the baselines it is compared with.
    async function endToEnd(): Promise<void> {
      const committedTotal = async () =>
        BigInt(
          json<{ totals: { committed: string } }>(
            await expectStatus(
              send(adminAllocation, 'GET', `/v1/budgets/${BUDGET}/balances`),
              200,
              'budget balances',
            ),
          ).totals.committed,
        );
      const chargedCount = async () =>
        json<{ usageConsumer?: { counts?: { charged?: number } } }>(
          await send(adminBilling, 'GET', '/v1/admin/messaging'),
        ).usageConsumer?.counts?.charged ?? 0;
      await quiet('e2e');
      const expectedUsage = warmupUsage + rows.length;
      const expectedCommitted = BigInt(expectedUsage) * USAGE_ENERGY;
      // Where the work goes: database commits and each service's CPU over the phase.
      const commits = async () =>
        Number(
          (
            await sql.query<{ commits: string }>(
              `SELECT pg_stat_get_db_xact_commit(oid)::text AS commits
                 FROM pg_database WHERE datname = current_database()`,
            )
          ).rows[0]?.commits ?? 0,
        );
      const cpuOf = () =>
        Object.fromEntries(
          SERVICE_NAMES.map((service) => [service, cpuSeconds(processes[service]?.child.pid)]),
        );
      const commitsBefore = await commits();
      const cpuBefore = cpuOf();
      started = performance.now();
      const batches = chunks(rows, SIZES.batch);
      let accepted = 0;
      let duplicates = 0;
      const busy: string[] = [];
      await Promise.all(
        Array.from({ length: SIZES.ingestPosters }, async () => {
          for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
            // As an integrator must: a 503 (busy, nothing or part of the batch recorded) is sent
            // again, same ids, after its Retry-After; what was recorded comes back `duplicate`.
            let answer = await send(integrator, 'POST', '/v1/usage', batch.map(usageItem));
            while (answer.status === 503 && busy.length < 1000) {
              busy.push(json<{ code: string }>(answer).code);
              await sleep(1000 * Number(answer.headers['retry-after'] ?? 1));
              answer = await send(integrator, 'POST', '/v1/usage', batch.map(usageItem));
            }
            if (answer.status !== 200)
              throw new Error(`usage batch: expected 200, got ${answer.status} ${answer.body}`);
            const counts = json<{ accepted: number; duplicates: number; rejected: number }>(answer);
            if (counts.rejected !== 0) throw new Error(`usage rejected: ${JSON.stringify(counts)}`);
            accepted += counts.accepted;
            duplicates += counts.duplicates;
          }
        }),
      );
      const recordedSeconds = (performance.now() - started) / 1000;
      let lastLog = 0;
      await until('billing to charge every usage', 300_000, async () => {
        const count = await chargedCount();
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(
            `charged ${count}/${expectedUsage}, committed ${await committedTotal()}/${expectedCommitted}`,
          );
        }
        return count >= expectedUsage ? true : undefined;
      });
      const chargedSeconds = (performance.now() - started) / 1000;
      await until('allocation to debit every usage', 300_000, async () =>
        (await committedTotal()) === expectedCommitted ? true : undefined,
      );
      const e2eSeconds = (performance.now() - started) / 1000;
      const charged = await chargedCount();
      const lags = {
        ingestion: json<unknown>(await send(adminIngestion, 'GET', '/v1/admin/messaging')),
        billing: json<unknown>(await send(adminBilling, 'GET', '/v1/admin/messaging')),
        allocation: json<unknown>(await send(adminAllocation, 'GET', '/v1/admin/messaging')),
      };
      notes.e2e = {
        accepted,
        duplicates,
        busyAnswers: busy.length,
        busyCodes: [...new Set(busy)],
        charged,
        expectedUsage,
        recordedSeconds,
        chargedSeconds,
        e2eSeconds,
        // Statistics reach pg_stat a little late (up to a second): the figure is approximate.
        databaseCommits: (await commits()) - commitsBefore,
        cpuSeconds: Object.fromEntries(
          Object.entries(cpuOf()).map(([service, seconds]) => [
            service,
            Number((seconds - (cpuBefore[service] ?? 0)).toFixed(2)),
          ]),
        ),
        messaging: lags,
      };
      // Every row recorded once: accepted, or duplicate when a busy answer's attempt had it.
      if (accepted + duplicates !== rows.length || charged !== expectedUsage)
        throw new Error(
          `e2e totals: ${JSON.stringify({ accepted, duplicates, charged, expectedUsage })}`,
        );
      const e2eRate = rows.length / e2eSeconds;
      results.push(compare('e2e.ingest', e2eRate, 'usage/s', 'pg.copy', copyRate));
      // Where the time goes: recorded (HTTP answers in), charged (billing), debited (allocation).
      results.push(
        compare(
          'e2e.stage.recorded',
          rows.length / recordedSeconds,
          'usage/s',
          'pg.copy',
          copyRate,
        ),
        compare('e2e.stage.charged', rows.length / chargedSeconds, 'usage/s', 'pg.copy', copyRate),
      );
      results.push(
        compare('e2e.ingest.vs_insert', e2eRate, 'usage/s', 'pg.insert.batch1000', insertRate),
      );
      results.push(
        compare(
          'e2e.ingest.vs_producer',
          e2eRate,
          'usage/s',
          'kafka.produce.acks_all',
          producerRate,
        ),
      );
      log(`e2e ${Math.round(e2eRate)} usage/s (${e2eSeconds.toFixed(1)} s)`);
    }
    await endToEnd();

    // --- replay ------------------------------------------------------------------------------
    await quiet('replay');
    started = performance.now();
    const replay = json<{ eventsApplied: number; match: boolean }>(
      await expectStatus(send(adminAllocation, 'GET', '/v1/admin/replay'), 200, 'replay'),
    );
    const replaySeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const plain = await sql.query(
      `SELECT global_position, transaction_id::text, event_id, stream_id, stream_version, event_type,
              data, metadata, recorded_at
         FROM allocation.events ORDER BY transaction_id, global_position LIMIT $1`,
      [replay.eventsApplied],
    );
    const selectSeconds = (performance.now() - started) / 1000;
    notes.replay = { ...replay, replaySeconds, selectedRows: plain.rowCount, selectSeconds };
    results.push(
      compare(
        'replay.rate',
        replay.eventsApplied / replaySeconds,
        'events/s',
        'plain.select.ordered',
        (plain.rowCount ?? 0) / selectSeconds,
      ),
    );
    log(`replay ${JSON.stringify(notes.replay)}`);

    // --- peak memory -------------------------------------------------------------------------
    const baselineRss = peakRssMiB(processes.baseline?.child.pid);
    for (const service of SERVICE_NAMES)
      results.push(
        compare(
          `rss.peak.${service}`,
          peakRssMiB(processes[service]?.child.pid),
          'MiB',
          'rss.peak.nest_baseline',
          baselineRss,
        ),
      );

    if (options.cpuProfDir !== undefined) {
      for (const result of results) log(JSON.stringify(result));
      log(`--cpu-prof: ${JSON.stringify(notes.e2e)}`);
      log('--cpu-prof: profiled run, no results file written');
      return;
    }
    const file = writeResults('system', results, {
      date: new Date().toISOString(),
      machine: {
        ...machineDescription(pgVersion),
        kafka: kafkaVersion(),
        loadAverage: os.loadavg(),
      },
      sizes: SIZES,
      notes,
    });
    log(`wrote ${file}`);
    for (const result of results) log(JSON.stringify(result));
  } finally {
    for (const running of Object.values(processes)) {
      if (running === undefined) continue;
      running.child.kill('SIGTERM');
      await exitWithin(running, 30_000).catch(() => killIfRunning(running));
    }
    await sql.end().catch(() => undefined);
    await database.drop();
  }
}
