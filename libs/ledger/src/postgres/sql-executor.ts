import { createHash } from 'node:crypto';

import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';

import type { SqlExecutor } from '../types';

/**
 * Where the PostgreSQL store gets its connections: single statements in autocommit (an append is
 * one statement, hence atomic on its own) and transactions for units of work.
 */
export interface SqlConnectionSource {
  readonly executor: SqlExecutor;
  withTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T>;
}

interface PgQueryable {
  query<Row extends QueryResultRow>(config: {
    text: string;
    values?: unknown[];
    name?: string;
  }): Promise<{ rows: Row[] }>;
}

/**
 * The ledger's own statements, by text, with the name under which pg prepares them once per
 * connection (parsing and planning the append's CTE costs about as much as executing it for a
 * small batch). Other SQL passing through an executor is never prepared, so an app's ad-hoc
 * queries cannot fill the connections' statement caches.
 */
const preparedNames = new Map<string, string>();

export function registerPreparedStatement(text: string): void {
  if (!preparedNames.has(text)) {
    preparedNames.set(
      text,
      `ledger_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`,
    );
  }
}

/** Wraps a pg Pool, PoolClient or Client (e.g. a client on which the caller ran BEGIN). */
export function pgExecutor(client: PgQueryable): SqlExecutor {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
      const values = params ? [...params] : undefined;
      const result = await client.query<QueryResultRow>({
        text,
        values,
        name: preparedNames.get(text),
      });
      return result.rows as Row[];
    },
  };
}

/**
 * Wraps a TypeORM QueryRunner. The structured result is used because TypeORM's plain result for
 * UPDATE/DELETE is `[rows, count]`, not rows.
 */
export function typeormExecutor(queryRunner: QueryRunner): SqlExecutor {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
      const result = (await queryRunner.query(text, params ? [...params] : undefined, true)) as {
        records?: unknown[];
      };
      return (result.records ?? []) as Row[];
    },
  };
}

export function pgPoolSource(pool: Pool): SqlConnectionSource {
  return {
    executor: pgExecutor(pool),
    async withTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
      const client: PoolClient = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(pgExecutor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          // A connection that cannot roll back must not go back to the pool.
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

export function typeormDataSourceSource(dataSource: DataSource): SqlConnectionSource {
  const executor: SqlExecutor = {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
      const queryRunner = dataSource.createQueryRunner();
      try {
        return await typeormExecutor(queryRunner).query<Row>(text, params);
      } finally {
        await queryRunner.release();
      }
    },
  };
  return {
    executor,
    async withTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
      const queryRunner = dataSource.createQueryRunner();
      const connection = asErrorEmitter(await queryRunner.connect());
      // When the connection fails between two statements (PostgreSQL restarted or crashed),
      // TypeORM releases the runner and the next statement fails with a bare
      // QueryRunnerAlreadyReleasedError; this keeps the connection's own error to report.
      let lost: unknown;
      const onLost = (error: unknown) => {
        lost ??= error;
      };
      connection?.on('error', onLost);
      try {
        await queryRunner.startTransaction();
        const result = await work(typeormExecutor(queryRunner));
        await queryRunner.commitTransaction();
        return result;
      } catch (error) {
        // A rollback fails only on a connection that is gone: the server has rolled back by
        // itself, and pg-pool discards the connection. Its failure must not replace the error
        // that says why: an outage is a 503 SERVICE.UNAVAILABLE, a bare TypeORM error a 500.
        if (queryRunner.isTransactionActive && !queryRunner.isReleased)
          await queryRunner.rollbackTransaction().catch(() => undefined);
        throw lost !== undefined && isAlreadyReleased(error) ? lost : error;
      } finally {
        connection?.removeListener('error', onLost);
        await queryRunner.release();
      }
    },
  };
}

/** The pg client behind a TypeORM query runner, as far as connection loss is concerned. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener(event: 'error', listener: (error: unknown) => void): unknown;
}

function asErrorEmitter(connection: unknown): ErrorEmitter | undefined {
  const candidate = connection as Partial<ErrorEmitter> | null | undefined;
  return typeof candidate?.on === 'function' && typeof candidate.removeListener === 'function'
    ? (candidate as ErrorEmitter)
    : undefined;
}

/** TypeORM's refusal to use a runner it released (by name: this module loads no TypeORM code). */
const isAlreadyReleased = (error: unknown): boolean =>
  error instanceof Error && error.name === 'QueryRunnerAlreadyReleasedError';
