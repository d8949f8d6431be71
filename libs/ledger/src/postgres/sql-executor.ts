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
      await queryRunner.connect();
      try {
        await queryRunner.startTransaction();
        const result = await work(typeormExecutor(queryRunner));
        await queryRunner.commitTransaction();
        return result;
      } catch (error) {
        if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
        throw error;
      } finally {
        await queryRunner.release();
      }
    },
  };
}
