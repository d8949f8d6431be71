import { performance } from 'node:perf_hooks';
import { START_CHECKPOINT } from '@plafond/ledger';
import { createBenchDatabase, postgresVersion } from '../support/bench-database';
import {
  compare,
  machineDescription,
  median,
  writeResults,
  type BenchResult,
} from '../support/bench-result';
import {
  emmettAppender,
  ledgerAppender,
  LEDGER_SCHEMA,
  rawInsertAppender,
  type Appender,
} from './contenders';
import { dataBytes, eventBatch, usageEvent } from './workload';

// Sizes: enough work per round to dwarf timer noise, small enough for a 2-core machine in ~2 min.
const ROUNDS = 7;
const BATCH100_APPENDS_PER_ROUND = 100;
const BATCH1_APPENDS_PER_ROUND = 1_000;
const STREAMS_PER_CONTENDER = 20;
const READ_PAGE = 500;
const READ_ROUNDS = 3;

/** Per contender: the version each of its streams is at, so every append states its expectation. */
class StreamCursor {
  private readonly versions = new Map<string, bigint>();
  private next = 0;

  constructor(private readonly prefix: string) {}

  take(): { streamId: string; expectedVersion: bigint } {
    const streamId = `${this.prefix}-${this.next++ % STREAMS_PER_CONTENDER}`;
    return { streamId, expectedVersion: this.versions.get(streamId) ?? 0n };
  }

  advance(streamId: string, by: number): void {
    this.versions.set(streamId, (this.versions.get(streamId) ?? 0n) + BigInt(by));
  }
}

let sequence = 0;

/** Appends `appends` batches of `batchSize`; returns events per second. */
async function appendRun(
  appender: Appender,
  cursor: StreamCursor,
  appends: number,
  batchSize: number,
): Promise<number> {
  const batches = Array.from({ length: appends }, () =>
    eventBatch(batchSize, (sequence += batchSize)),
  );
  const started = performance.now();
  for (const batch of batches) {
    const { streamId, expectedVersion } = cursor.take();
    await appender.append(streamId, batch, expectedVersion);
    cursor.advance(streamId, batchSize);
  }
  const seconds = (performance.now() - started) / 1000;
  return (appends * batchSize) / seconds;
}

/** Rounds in rotating order, so drift (autovacuum, cache warmth) does not favour one contender. */
async function compareAppends(
  appenders: readonly Appender[],
  cursors: Map<Appender, StreamCursor>,
  appends: number,
  batchSize: number,
): Promise<Map<string, number>> {
  const rates = new Map<string, number[]>(appenders.map((appender) => [appender.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let turn = 0; turn < appenders.length; turn++) {
      const appender = appenders[(round + turn) % appenders.length]!;
      rates
        .get(appender.name)!
        .push(await appendRun(appender, cursors.get(appender)!, appends, batchSize));
    }
  }
  return new Map([...rates].map(([name, values]) => [name, median(values)]));
}

async function readAllRate(
  ledger: Awaited<ReturnType<typeof ledgerAppender>>,
  total: number,
): Promise<number> {
  const started = performance.now();
  let after = START_CHECKPOINT;
  let read = 0;
  for (let page = 0; page <= total / READ_PAGE + 1 && read < total; page++) {
    const result = await ledger.store.readAll({ after, maxCount: READ_PAGE });
    read += result.events.length;
    after = result.checkpoint;
  }
  if (read !== total) throw new Error(`readAll returned ${read} events, expected ${total}`);
  return total / ((performance.now() - started) / 1000);
}

/**
 * Baseline: a plain keyset-paged SELECT of the same columns, in the same text forms, ordered by
 * the same index ((transaction_id, global_position), the table's primary key); the only thing it
 * lacks is readAll's "below the snapshot's xmin" filter and the mapping to RecordedEvent.
 */
async function plainSelectRate(
  ledger: Awaited<ReturnType<typeof ledgerAppender>>,
  total: number,
): Promise<number> {
  const started = performance.now();
  let after = { transactionId: '0', globalPosition: '0' };
  let read = 0;
  for (let page = 0; page <= total / READ_PAGE + 1 && read < total; page++) {
    // Columns are named through `e.` in WHERE/ORDER BY: bare names would be the text aliases.
    const { rows } = await ledger.pool.query<{ global_position: string; transaction_id: string }>(
      `SELECT e.global_position::text AS global_position, e.transaction_id::text AS transaction_id, e.event_id,
         e.stream_id, e.stream_version::text AS stream_version, e.event_type, e.data, e.metadata, e.recorded_at,
         encode(e.hash, 'hex') AS hash
       FROM ${LEDGER_SCHEMA}.events e
       WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
       ORDER BY e.transaction_id, e.global_position LIMIT $3`,
      [after.transactionId, after.globalPosition, READ_PAGE],
    );
    read += rows.length;
    const last = rows.at(-1);
    if (last !== undefined)
      after = { transactionId: last.transaction_id, globalPosition: last.global_position };
  }
  if (read !== total) throw new Error(`plain select returned ${read} rows, expected ${total}`);
  return total / ((performance.now() - started) / 1000);
}

export async function runLedgerBench(): Promise<void> {
  const database = await createBenchDatabase('ledger');
  const appenders: Appender[] = [];
  try {
    const ledger = await ledgerAppender(database.url);
    const emmett = await emmettAppender(database.url);
    const raw = await rawInsertAppender(database.url);
    appenders.push(ledger, emmett, raw);
    const cursors = new Map(
      appenders.map((appender) => [appender, new StreamCursor(`${appender.name}-stream`)]),
    );
    process.stdout.write(
      `ledger bench on ${database.name}; event data ${dataBytes(usageEvent(1))} bytes\n`,
    );

    for (const appender of appenders) await appendRun(appender, cursors.get(appender)!, 10, 100); // warm-up
    const batch100 = await compareAppends(appenders, cursors, BATCH100_APPENDS_PER_ROUND, 100);
    const batch1 = await compareAppends([ledger, emmett], cursors, BATCH1_APPENDS_PER_ROUND, 1);

    // Every contender must hold exactly what it was given, or its figure means nothing.
    const counts = await Promise.all(appenders.map((appender) => appender.count()));
    const expectedBatched = (10 + ROUNDS * BATCH100_APPENDS_PER_ROUND) * 100;
    const expectedCounts = [
      expectedBatched + ROUNDS * BATCH1_APPENDS_PER_ROUND,
      expectedBatched + ROUNDS * BATCH1_APPENDS_PER_ROUND,
      expectedBatched,
    ];
    if (counts.some((count, index) => count !== expectedCounts[index])) {
      throw new Error(`row counts ${counts.join('/')} differ from ${expectedCounts.join('/')}`);
    }

    const total = counts[0]!;
    // Fresh statistics, as autovacuum would have gathered by now in a long-running database.
    await ledger.pool.query(`ANALYZE ${LEDGER_SCHEMA}.events`);
    const reads = { readAll: [] as number[], plain: [] as number[] };
    for (let round = 0; round < READ_ROUNDS; round++) {
      reads.readAll.push(await readAllRate(ledger, total));
      reads.plain.push(await plainSelectRate(ledger, total));
    }

    const rate = (map: Map<string, number>, name: string) => map.get(name)!;
    const results: BenchResult[] = [
      compare(
        'ledger.append.batch100',
        rate(batch100, 'ledger'),
        'events/s',
        'raw.insert.batch100',
        rate(batch100, 'raw'),
      ),
      compare(
        'ledger.append.batch100.vs_emmett',
        rate(batch100, 'ledger'),
        'events/s',
        'emmett.append.batch100',
        rate(batch100, 'emmett'),
      ),
      compare(
        'ledger.append.batch1',
        rate(batch1, 'ledger'),
        'events/s',
        'ledger.append.batch100',
        rate(batch100, 'ledger'),
      ),
      compare(
        'ledger.append.batch1.vs_emmett',
        rate(batch1, 'ledger'),
        'events/s',
        'emmett.append.batch1',
        rate(batch1, 'emmett'),
      ),
      compare(
        'ledger.readAll',
        median(reads.readAll),
        'events/s',
        'plain.select.ordered',
        median(reads.plain),
      ),
    ];
    const environment = {
      machine: machineDescription(await postgresVersion(database.url)),
      eventDataBytes: dataBytes(usageEvent(1)),
      rounds: ROUNDS,
      batch100AppendsPerRound: BATCH100_APPENDS_PER_ROUND,
      batch1AppendsPerRound: BATCH1_APPENDS_PER_ROUND,
      streamsPerContender: STREAMS_PER_CONTENDER,
      eventsInLedger: total,
      readPage: READ_PAGE,
      date: new Date().toISOString(),
    };
    const file = writeResults('ledger', results, environment);
    for (const result of results) {
      process.stdout.write(
        `${result.name.padEnd(34)} ${String(result.value).padStart(8)} ${result.unit}  vs ${result.baselineName} ${result.baselineValue}  ratio ${result.ratio}\n`,
      );
    }
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    for (const appender of appenders) await appender.close();
    await database.drop();
  }
}
