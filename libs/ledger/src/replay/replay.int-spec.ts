import { Pool } from 'pg';
import { waitFor } from '@plafond/testing';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { pgPoolSource } from '../postgres/sql-executor';
import {
  createProjectionSubscription,
  projectionMigrationStatements,
  type Projection,
} from '../subscriptions/projection';
import {
  amountEvents,
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from '../subscriptions/testing/ledger-test-kit';
import { totalsProjection } from '../subscriptions/testing/totals-projection';
import { projectionDigest } from './projection-digest';
import { rebuildProjection, verifyProjection } from './rebuild-projection';

jest.setTimeout(120_000);

const quietLogger = { log: () => undefined };

/** Only tables, for digest tests on hand-written rows. */
const ledgerLines: Projection = {
  name: 'lines',
  tables: [{ name: 'lines' }],
  createStatements: (schema) => [
    `CREATE TABLE IF NOT EXISTS "${schema}".lines (unit text, period text, amount numeric(38,0), at timestamptz,
      PRIMARY KEY (unit, period))`,
  ],
  apply: () => Promise.resolve(),
};

describe('replay and digests', () => {
  let kit: LedgerTestKit;
  const live = 'rm_live';
  const projection = totalsProjection();

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_replay');
    for (const statement of projectionMigrationStatements(projection, live))
      await kit.pool.query(statement);
  });
  afterAll(async () => {
    await kit.close();
  });

  async function createLines(
    schema: string,
    rows: [string, string, string, string][],
  ): Promise<void> {
    for (const statement of projectionMigrationStatements(ledgerLines, schema))
      await kit.pool.query(statement);
    for (const row of rows)
      await kit.pool.query(`INSERT INTO "${schema}".lines VALUES ($1, $2, $3, $4)`, row);
  }

  it('rebuilds a projection from position 0 into fresh tables with the live digest', async () => {
    const subscription = createProjectionSubscription({
      store: kit.store,
      schema: LEDGER_SCHEMA,
      projection,
      readModelSchema: live,
      batchSize: 7,
      idlePollMs: 5,
      logger: quietLogger,
    });
    subscription.start();
    try {
      for (let round = 0; round < 5; round++) {
        for (const unit of ['u1', 'u2', 'u3']) {
          await kit.store.appendToStream(
            `${unit}`,
            amountEvents(9, 9_007_199_254_740_000n + BigInt(round)),
            {
              expectedVersion: BigInt(round * 9),
            },
          );
        }
      }
      await waitFor(
        async () =>
          (await projectionDigest(projection, { store: kit.store, schema: live })).rowCounts
            .applied_events === 135,
        {
          timeoutMs: 60_000,
          description: 'live projection to apply 135 events',
        },
      );
    } finally {
      await subscription.stop();
    }
    // Appended after the live projection stopped: the rebuild must stop at the live checkpoint.
    await kit.store.appendToStream('u4', amountEvents(3, 1n));

    const verification = await verifyProjection(projection, {
      store: kit.store,
      liveSchema: live,
      subscription: { schema: LEDGER_SCHEMA, name: projection.name },
      intoSchema: 'rm_rebuild_1',
      batchSize: 500,
      dropAfterDigest: true,
    });
    expect(verification.matches).toBe(true);
    expect(verification.rebuilt.eventsApplied).toBe(135);
    expect(verification.live.rowCounts).toEqual({ stream_totals: 3, applied_events: 135 });
    expect(verification.rebuilt.checkpoint).toEqual(verification.live.checkpoint);
    const { rows } = await kit.pool.query(
      `SELECT 1 FROM pg_namespace WHERE nspname = 'rm_rebuild_1'`,
    );
    expect(rows).toHaveLength(0);
  });

  it('tells an altered live read model from its rebuild', async () => {
    await kit.pool.query(
      `UPDATE ${live}.stream_totals SET amount_total = amount_total + 1 WHERE stream_id = 'u2'`,
    );
    const verification = await verifyProjection(projection, {
      store: kit.store,
      liveSchema: live,
      subscription: { schema: LEDGER_SCHEMA, name: projection.name },
      intoSchema: 'rm_rebuild_2',
    });
    expect(verification.matches).toBe(false);
    const rebuilt = await kit.pool.query(
      `SELECT amount_total::text AS total FROM rm_rebuild_2.stream_totals WHERE stream_id = 'u2'`,
    );
    const altered = await kit.pool.query(
      `SELECT amount_total::text AS total FROM ${live}.stream_totals WHERE stream_id = 'u2'`,
    );
    expect(BigInt(altered.rows[0].total) - BigInt(rebuilt.rows[0].total)).toBe(1n);
  });

  it('refuses to rebuild into an existing schema', async () => {
    await expect(
      rebuildProjection(projection, { store: kit.store, intoSchema: live }),
    ).rejects.toMatchObject({
      code: 'LEDGER.REPLAY_TARGET_EXISTS',
    });
  });

  it('digests exact values, independent of physical row order and session time zone', async () => {
    const rows: [string, string, string, string][] = [
      ['u1', '2025-01', '9007199254740993', '2025-01-31T23:00:00Z'],
      ['u2', '2025-01', '1', '2025-01-31T23:00:00Z'],
    ];
    await createLines('digest_a', rows);
    await createLines('digest_b', [...rows].reverse());
    await createLines('digest_c', [
      ['u1', '2025-01', '9007199254740992', '2025-01-31T23:00:00Z'],
      rows[1]!,
    ]);
    const digest = async (schema: string, store = kit.store) =>
      (await projectionDigest(ledgerLines, { store, schema })).digest;
    expect(await digest('digest_a')).toBe(await digest('digest_b'));
    expect(await digest('digest_a')).not.toBe(await digest('digest_c'));
    const tokyo = new Pool({
      connectionString: kit.database.url,
      max: 1,
      options: '-c TimeZone=Asia/Tokyo',
    });
    try {
      const tokyoStore = new PostgresEventStore({
        schema: LEDGER_SCHEMA,
        connection: pgPoolSource(tokyo),
      });
      expect(await digest('digest_a', tokyoStore)).toBe(await digest('digest_a'));
    } finally {
      await tokyo.end();
    }
  });

  it('needs a total order to dump a table', async () => {
    const unordered: Projection = {
      ...ledgerLines,
      createStatements: (schema) => [
        `CREATE TABLE IF NOT EXISTS "${schema}".lines (unit text, amount bigint)`,
      ],
    };
    for (const statement of projectionMigrationStatements(unordered, 'digest_unordered'))
      await kit.pool.query(statement);
    await expect(
      projectionDigest(unordered, { store: kit.store, schema: 'digest_unordered' }),
    ).rejects.toMatchObject({
      code: 'LEDGER.REPLAY_DUMP_UNORDERED',
    });
    const withQuery: Projection = {
      ...unordered,
      tables: [
        {
          name: 'lines',
          dumpQuery: (schema) => `SELECT unit, amount FROM "${schema}".lines ORDER BY unit, amount`,
        },
      ],
    };
    expect(
      (await projectionDigest(withQuery, { store: kit.store, schema: 'digest_unordered' }))
        .rowCounts,
    ).toEqual({ lines: 0 });
  });
});
