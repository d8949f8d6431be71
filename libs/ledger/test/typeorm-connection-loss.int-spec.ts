// A transaction's connection lost mid-way (what a PostgreSQL restart or crash does to every open
// session) must fail with the connection's own error — the one the services answer as 503
// SERVICE.UNAVAILABLE — never with TypeORM's bare QueryRunnerAlreadyReleasedError (a 500), and
// the pool must go on with fresh connections. The session is ended from another one with
// pg_terminate_backend, as a fast shutdown ends it (57P01).
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { DataSource } from 'typeorm';

import { typeormDataSourceSource } from '@plafond/ledger';

let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase('ledger_conn_loss');
  dataSource = new DataSource({ type: 'postgres', url: database.url, extra: { max: 2 } });
  await dataSource.initialize();
});
afterAll(async () => {
  await dataSource.destroy();
  await database.drop();
});

/** The connection's loss as pg reports it: the server's FATAL, or the socket closing. */
const CONNECTION_LOST = {
  message: expect.stringMatching(
    /terminating connection due to administrator command|Connection terminated unexpectedly/,
  ) as unknown,
};

const STATEMENTS_BOUND = 200;
const terminate = (pid: number) => dataSource.query('SELECT pg_terminate_backend($1)', [pid]);

describe('typeormDataSourceSource.withTransaction when the connection is lost', () => {
  it('between two statements: fails with the connection error, not QueryRunnerAlreadyReleasedError', async () => {
    const source = typeormDataSourceSource(dataSource);
    const failure = await source
      .withTransaction(async (sql) => {
        const [own] = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await terminate(own?.pid ?? 0);
        // pg learns of the loss asynchronously: keep going (bounded) until a statement fails.
        for (let attempt = 0; attempt < STATEMENTS_BOUND; attempt += 1) {
          await sql.query('SELECT 1');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).not.toBe('QueryRunnerAlreadyReleasedError');
    expect(failure).toMatchObject(CONNECTION_LOST);
  });

  it('the pool then serves new transactions on fresh connections', async () => {
    const source = typeormDataSourceSource(dataSource);
    const rows = await source.withTransaction((sql) =>
      sql.query<{ one: number }>('SELECT 1 AS one'),
    );
    expect(rows).toEqual([{ one: 1 }]);
  });
});
