// Tamper evidence: the application cannot change history, and a change made by someone who can
// (a superuser disabling the trigger) is found by verify() as the first broken link.
import { Pool } from 'pg';
import { currentRunId } from '@plafond/testing';

import {
  LEDGER_IMMUTABLE_MESSAGE,
  PostgresEventStore,
  canonicalJson,
  eventHash,
  ledgerLimits,
  ledgerRoleGrantStatements,
  pgPoolSource,
  type SnapshotRejection,
  type VerifyResult,
} from '@plafond/ledger';

import { amount } from './behaviour/append.behaviour';
import { readAllSettled } from './support/read-all';
import { createLedgerHarness, type LedgerHarness } from './support/ledger-harness';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

let harness: LedgerHarness;
let store: PostgresEventStore;

beforeAll(async () => {
  harness = await createLedgerHarness('ledger_tamper');
});
afterAll(() => harness.close());

beforeEach(async () => {
  store = await harness.freshStore();
  await store.appendToStream('s', [amount(1), amount(2), amount(3)]);
  await store.appendToStream('t', [amount(4), amount(5)]);
  expect(await store.verify()).toEqual({ ok: true, eventsChecked: 5, streamsChecked: 2 });
});

/** What an attacker with superuser rights does: switch the trigger off around the change. */
async function asSuperuser(sql: string): Promise<void> {
  const client = await harness.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`ALTER TABLE ${store.schema}.events DISABLE TRIGGER events_append_only`);
    await client.query(
      sql
        .replaceAll('$events', `${store.schema}.events`)
        .replaceAll('$streams', `${store.schema}.streams`),
    );
    await client.query(
      `ALTER TABLE ${store.schema}.events ENABLE ALWAYS TRIGGER events_append_only`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const brokenLink = (result: VerifyResult) => (result.ok ? undefined : result.firstBrokenLink);

describe('the append-only trigger', () => {
  it.each([
    ['UPDATE', `UPDATE $events SET data = '{"amountMicroWh":"999"}'`],
    ['DELETE', 'DELETE FROM $events'],
    ['TRUNCATE', 'TRUNCATE $events'],
  ])('refuses %s, even to the owner', async (_operation, sql) => {
    await expect(
      harness.pool.query(sql.replace('$events', `${store.schema}.events`)),
    ).rejects.toThrow(LEDGER_IMMUTABLE_MESSAGE);
    expect(await store.verify()).toMatchObject({ ok: true, eventsChecked: 5 });
  });

  it('still fires under session_replication_role = replica', async () => {
    const client = await harness.pool.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await expect(client.query(`DELETE FROM ${store.schema}.events`)).rejects.toThrow(
        LEDGER_IMMUTABLE_MESSAGE,
      );
    } finally {
      await client.query('RESET session_replication_role');
      client.release();
    }
  });
});

describe('the application role', () => {
  const role = `ledger_app_${currentRunId()}`;
  let appPool: Pool;

  beforeAll(async () => {
    await harness.pool.query(`CREATE ROLE "${role}" LOGIN`);
  });
  afterAll(async () => {
    await appPool?.end();
    // Grants live in the test database; dropping them first lets the cluster-wide role go.
    await harness.pool.query(`DROP OWNED BY "${role}"`);
    await harness.pool.query(`DROP ROLE "${role}"`);
  });

  it('appends and reads, but cannot update, delete, truncate or unprotect events', async () => {
    for (const statement of ledgerRoleGrantStatements(store.schema, role))
      await harness.pool.query(statement);
    const url = new URL(harness.database.url);
    url.username = role;
    await appPool?.end();
    appPool = new Pool({ connectionString: url.toString(), max: 2 });
    const appStore = new PostgresEventStore({
      schema: store.schema,
      connection: pgPoolSource(appPool),
    });

    await appStore.appendToStream('s', [amount(6)], { expectedVersion: 3 });
    const loaded = await appStore.aggregateStream('s', (count: number) => count + 1, {
      initialState: () => 0,
      snapshot: {
        name: 'count.v1',
        everyEvents: 1,
        encode: (count) => count,
        decode: (json) => json as number,
      },
    });
    expect(loaded.currentVersion).toBe(4n);
    expect(await readAllSettled(appStore, 6)).toHaveLength(6);

    const events = `${store.schema}.events`;
    for (const sql of [
      `UPDATE ${events} SET event_type = 'X'`,
      `DELETE FROM ${events}`,
      `TRUNCATE ${events}`,
    ]) {
      await expect(appPool.query(sql)).rejects.toThrow(/permission denied/);
    }
    await expect(
      appPool.query(`ALTER TABLE ${events} DISABLE TRIGGER events_append_only`),
    ).rejects.toThrow(/must be owner/);
    expect(await appStore.verify()).toMatchObject({ ok: true, eventsChecked: 6 });
  });
});

describe('verify after a superuser changed history', () => {
  it('reports an altered payload as a hash mismatch at that event', async () => {
    await asSuperuser(
      `UPDATE $events SET data = '{"amountMicroWh":"200"}' WHERE stream_id = 's' AND stream_version = 2`,
    );
    const [, second] = await store.readStream('s');
    expect(brokenLink(await store.verify())).toEqual({
      streamId: 's',
      streamVersion: 2n,
      globalPosition: second!.globalPosition,
      reason: 'HASH_MISMATCH',
      expectedHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      actualHash: second!.hash,
    });
    expect(await store.verify({ streamId: 't' })).toMatchObject({ ok: true, eventsChecked: 2 });
    expect(brokenLink(await store.verify({ streamId: 's' }))).toMatchObject({
      streamVersion: 2n,
      reason: 'HASH_MISMATCH',
    });
  });

  it('reports altered metadata too', async () => {
    await asSuperuser(
      `UPDATE $events SET metadata = '{"actor":"mallory"}' WHERE stream_id = 't' AND stream_version = 1`,
    );
    expect(brokenLink(await store.verify())).toMatchObject({
      streamId: 't',
      streamVersion: 1n,
      reason: 'HASH_MISMATCH',
    });
  });

  it('reports a rewritten event whose hash was recomputed at the next link', async () => {
    const [first, second, third] = await store.readStream('s');
    const forgedData = { amountMicroWh: '200' };
    const forgedHash = eventHash({
      streamId: 's',
      streamVersion: 2n,
      eventId: second!.eventId,
      type: second!.type,
      dataJson: canonicalJson(forgedData),
      metadataJson: canonicalJson(second!.metadata),
      prevHash: first!.hash,
    });
    await asSuperuser(
      `UPDATE $events SET data = '${JSON.stringify(forgedData)}', hash = decode('${forgedHash}', 'hex')
       WHERE stream_id = 's' AND stream_version = 2`,
    );
    expect(brokenLink(await store.verify())).toEqual({
      streamId: 's',
      streamVersion: 3n,
      globalPosition: third!.globalPosition,
      reason: 'PREVIOUS_HASH_MISMATCH',
      expectedHash: forgedHash,
      actualHash: second!.hash,
    });
  });

  it('reports a deleted event in the middle as a version gap', async () => {
    await asSuperuser(`DELETE FROM $events WHERE stream_id = 's' AND stream_version = 2`);
    expect(brokenLink(await store.verify())).toMatchObject({
      streamId: 's',
      streamVersion: 3n,
      reason: 'VERSION_GAP',
    });
  });

  it('reports a deleted last event, and a stream emptied of events, as a head mismatch', async () => {
    await asSuperuser(`DELETE FROM $events WHERE stream_id = 't' AND stream_version = 2`);
    expect(brokenLink(await store.verify())).toMatchObject({
      streamId: 't',
      streamVersion: 1n,
      reason: 'HEAD_MISMATCH',
    });
    await asSuperuser(`DELETE FROM $events WHERE stream_id = 't'`);
    expect(brokenLink(await store.verify({ streamId: 't' }))).toMatchObject({
      streamId: 't',
      reason: 'HEAD_MISMATCH',
    });
  });

  it('reports the lowest position first, not the first stream in id order', async () => {
    await store.appendToStream('a-later-stream', [amount(6)]);
    await asSuperuser(
      `UPDATE $events SET event_type = 'Forged' WHERE stream_id = 'a-later-stream'`,
    );
    await asSuperuser(
      `UPDATE $events SET event_type = 'Forged' WHERE stream_id = 't' AND stream_version = 2`,
    );
    expect(brokenLink(await store.verify())).toMatchObject({
      streamId: 't',
      streamVersion: 2n,
      reason: 'HASH_MISMATCH',
    });
  });
});

describe('snapshots as a verified cache', () => {
  const countEvents = (count: number) => count + 1;
  const rejections: SnapshotRejection[] = [];
  const snapshot = {
    name: 'count.v1',
    everyEvents: 2,
    encode: (count: number) => count,
    decode: (json: unknown) => json as number,
    onRejected: (rejection: SnapshotRejection) => rejections.push(rejection),
  };
  const load = (streamId: string) =>
    store.aggregateStream(streamId, countEvents, { initialState: () => 0, snapshot });
  const snapshotVersions = async (streamId: string) =>
    (
      await harness.pool.query<{ v: string }>(
        `SELECT stream_version::text AS v FROM ${store.schema}.snapshots
          WHERE stream_id = $1 ORDER BY stream_version DESC`,
        [streamId],
      )
    ).rows.map((row) => row.v);

  beforeEach(async () => {
    rejections.length = 0;
    expect(await load('s')).toMatchObject({ state: 3, eventsFolded: 3, snapshotsRejected: 0 });
    expect(await load('s')).toMatchObject({ state: 3, eventsFolded: 0, snapshotsRejected: 0 });
  });

  it('ignores a snapshot whose anchor event no longer has the hash it was taken at', async () => {
    // A wrong state written under a wrong anchor (by hand, or before history was altered).
    await harness.pool.query(
      `UPDATE ${store.schema}.snapshots SET state = '1000', last_hash = sha256('x')`,
    );
    expect(await load('s')).toMatchObject({ state: 3, eventsFolded: 3, snapshotsRejected: 1 });
  });

  it('does not return a state edited alone, reports it, and replaces the row', async () => {
    await harness.pool.query(`UPDATE ${store.schema}.snapshots SET state = '1000'`);
    expect(await load('s')).toMatchObject({ state: 3, eventsFolded: 3, snapshotsRejected: 1 });
    expect(rejections).toEqual([
      { streamId: 's', snapshotName: 'count.v1', streamVersion: 3n, reason: 'CHECKSUM_MISMATCH' },
    ]);
    expect(await load('s')).toMatchObject({ state: 3, eventsFolded: 0, snapshotsRejected: 0 });
  });

  it('rejects a snapshot row copied to another stream', async () => {
    await store.appendToStream('u', [amount(1), amount(2), amount(3)]);
    const u = await store.readStream('u');
    // Same version, and the anchor rewritten to match u's history: only the checksum tells.
    await harness.pool.query(
      `INSERT INTO ${store.schema}.snapshots
         (stream_id, snapshot_name, stream_version, global_position, max_recorded_at, last_hash, state, checksum)
       SELECT 'u', snapshot_name, stream_version, $1, max_recorded_at, decode($2, 'hex'), '1000', checksum
         FROM ${store.schema}.snapshots WHERE stream_id = 's'`,
      [u[2]!.globalPosition.toString(), u[2]!.hash],
    );
    expect(await load('u')).toMatchObject({ state: 3, snapshotsRejected: 1 });
  });

  it('folds from the older good snapshot when the newest is edited', async () => {
    await store.appendToStream('s', [amount(6), amount(7)]);
    expect(await load('s')).toMatchObject({ state: 5, eventsFolded: 2 });
    expect(await snapshotVersions('s')).toEqual(['5', '3']);
    await harness.pool.query(
      `UPDATE ${store.schema}.snapshots SET state = '1000' WHERE stream_version = 5`,
    );
    expect(await load('s')).toMatchObject({ state: 5, eventsFolded: 2, snapshotsRejected: 1 });
  });

  it('keeps only the newest snapshots of a stream and name', async () => {
    for (let round = 0; round < 10; round++) {
      await store.appendToStream('s', [amount(round), amount(round)]);
      await load('s');
    }
    expect(await snapshotVersions('s')).toEqual(['23', '21']);
    expect(ledgerLimits.SNAPSHOTS_KEPT_PER_STREAM).toBe(2);
  });
});
