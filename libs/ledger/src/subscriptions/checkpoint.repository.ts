import type { GlobalCheckpoint, SqlExecutor } from '../types';
import { START_CHECKPOINT } from '../types';
import { compareCheckpoints, formatCheckpoint } from './checkpoint';
import { qualifiedName } from './identifiers';
import { CHECKPOINTS_TABLE } from './subscription.schema';
import { SubscriptionError } from './subscription.errors';

interface CheckpointRow {
  transaction_id: string;
  global_position: string;
}

/**
 * Checkpoints of named subscriptions, always used inside the transaction of the batch they
 * describe.
 *
 * Exclusivity: a transaction-scoped advisory lock keyed by (schema, name) is taken first and
 * held until the batch commits or rolls back. It is released by PostgreSQL when the owning
 * connection dies (kill -9 included), so no lease expiry is needed, and unlike
 * `SELECT ... FOR UPDATE` it does not allocate a transaction id: a relay waiting for Kafka acks
 * does not hold back the snapshot xmin that every `readAll` reads below. The write is also a
 * compare-and-set on the previous position, so even without the lock two writers could never
 * both commit the same step.
 */
export class CheckpointRepository {
  private readonly table: string;

  constructor(private readonly schema: string) {
    this.table = qualifiedName(schema, CHECKPOINTS_TABLE);
  }

  /** True when this transaction now owns the subscription; false when another one does. */
  async tryLock(sql: SqlExecutor, name: string): Promise<boolean> {
    const rows = await sql.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtext($1), hashtext($2)) AS locked`,
      [`plafond.subscription:${this.schema}`, name],
    );
    return rows[0]?.locked === true;
  }

  /** Waits for the subscription's in-flight batch, then holds it off until this transaction ends. */
  async lock(sql: SqlExecutor, name: string): Promise<void> {
    await sql.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [
      `plafond.subscription:${this.schema}`,
      name,
    ]);
  }

  async load(sql: SqlExecutor, name: string): Promise<GlobalCheckpoint> {
    const rows = await sql.query<CheckpointRow>(
      `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position
         FROM ${this.table} WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    if (row === undefined) return START_CHECKPOINT;
    const checkpoint = {
      transactionId: BigInt(row.transaction_id),
      globalPosition: BigInt(row.global_position),
    };
    if (checkpoint.globalPosition < 0n || checkpoint.transactionId < 0n) {
      throw new SubscriptionError(
        'LEDGER.SUBSCRIPTION_INVARIANT',
        `checkpoint of ${name} is negative`,
      );
    }
    return checkpoint;
  }

  /** Moves the checkpoint from `from` to `to`, failing if anyone else moved it meanwhile. */
  async advance(
    sql: SqlExecutor,
    name: string,
    from: GlobalCheckpoint,
    to: GlobalCheckpoint,
  ): Promise<void> {
    if (compareCheckpoints(to, from) <= 0) {
      throw new SubscriptionError(
        'LEDGER.SUBSCRIPTION_INVARIANT',
        `checkpoint of ${name} must move forward: ${formatCheckpoint(from)} -> ${formatCheckpoint(to)}`,
      );
    }
    const rows = await sql.query(
      `INSERT INTO ${this.table} AS c (name, transaction_id, global_position, updated_at)
       VALUES ($1, $2::xid8, $3::bigint, now())
       ON CONFLICT (name) DO UPDATE
          SET transaction_id = EXCLUDED.transaction_id,
              global_position = EXCLUDED.global_position,
              updated_at = EXCLUDED.updated_at
        WHERE c.transaction_id = $4::xid8 AND c.global_position = $5::bigint
       RETURNING c.name`,
      [
        name,
        to.transactionId.toString(),
        to.globalPosition.toString(),
        from.transactionId.toString(),
        from.globalPosition.toString(),
      ],
    );
    if (rows.length !== 1) {
      throw new SubscriptionError(
        'LEDGER.SUBSCRIPTION_CHECKPOINT_CONFLICT',
        `checkpoint of ${name} is no longer ${formatCheckpoint(from)}; another instance advanced it`,
      );
    }
  }

  /** Sets a checkpoint explicitly (operator reset or tests), outside the normal batch flow. */
  async reset(sql: SqlExecutor, name: string, to: GlobalCheckpoint): Promise<void> {
    await sql.query(
      `INSERT INTO ${this.table} (name, transaction_id, global_position, updated_at)
       VALUES ($1, $2::xid8, $3::bigint, now())
       ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,
         global_position = EXCLUDED.global_position, updated_at = EXCLUDED.updated_at`,
      [name, to.transactionId.toString(), to.globalPosition.toString()],
    );
  }
}
