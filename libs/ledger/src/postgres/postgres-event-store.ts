import { failpoint } from '../core/failpoint';
import type {
  AggregateResult,
  AggregateStreamOptions,
  AppendOptions,
  AppendResult,
  DomainEvent,
  EventStore,
  EventToAppend,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SqlExecutor,
  TransactionalEventStore,
  VerifyResult,
} from '../types';
import { PostgresLedgerSession } from './postgres-ledger-session';
import type { SqlConnectionSource } from './sql-executor';
import { ledgerStatements, type LedgerStatements } from './statements';
import { StreamHeadCache, TransactionStreamHeads } from './stream-head-cache';

export interface PostgresEventStoreOptions {
  /** Schema holding the ledger tables (see `ledgerMigrationStatements`). */
  schema: string;
  connection: SqlConnectionSource;
}

/**
 * The ledger on PostgreSQL. Outside a transaction every operation is a statement in autocommit
 * (an append is one statement, so it is atomic alone); `transaction` and `withExecutor` run the
 * same operations inside one transaction.
 */
export class PostgresEventStore implements EventStore {
  readonly schema: string;
  private readonly statements: LedgerStatements;
  private readonly heads = new StreamHeadCache();
  private readonly autocommit: PostgresLedgerSession;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.schema = options.schema;
    this.statements = ledgerStatements(options.schema);
    this.autocommit = new PostgresLedgerSession(
      options.connection.executor,
      this.statements,
      this.heads,
      (work) => options.connection.withTransaction(work),
    );
  }

  /** Single statements in autocommit: a read that needs no transaction costs one round trip. */
  get sql(): SqlExecutor {
    return this.options.connection.executor;
  }

  async appendToStream<E extends DomainEvent>(
    streamId: string,
    events: readonly EventToAppend<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const result = await this.autocommit.appendToStream(streamId, events, options);
    // In autocommit the append is its own transaction: committed, not yet answered nor published.
    if (!result.idempotentReplay) failpoint('ledger.after-commit');
    return result;
  }

  readStream<E extends DomainEvent>(
    streamId: string,
    options?: ReadStreamOptions,
  ): Promise<RecordedEvent<E>[]> {
    return this.autocommit.readStream<E>(streamId, options);
  }

  aggregateStream<State, E extends DomainEvent>(
    streamId: string,
    evolve: (state: State, event: RecordedEvent<E>) => State,
    options: AggregateStreamOptions<State>,
  ): Promise<AggregateResult<State>> {
    return this.autocommit.aggregateStream(streamId, evolve, options);
  }

  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.autocommit.readAll(options);
  }

  verify(options?: { streamId?: string }): Promise<VerifyResult> {
    return this.autocommit.verify(options);
  }

  /**
   * Runs `work` in one read-committed transaction: all its appends (any streams) and the writes it
   * makes through `tx.sql` commit together or not at all. An error thrown by `work` rolls back.
   */
  async transaction<T>(work: (tx: TransactionalEventStore) => Promise<T>): Promise<T> {
    const heads = new TransactionStreamHeads(this.heads);
    let appended = false;
    const result = await this.options.connection.withTransaction((sql) =>
      work(
        new PostgresLedgerSession(sql, this.statements, heads, undefined, () => (appended = true)),
      ),
    );
    heads.commit();
    // Committed, not yet answered nor published (docs/faults.md).
    if (appended) failpoint('ledger.after-commit');
    return result;
  }

  /**
   * The store bound to a transaction the caller already owns (a pg client after BEGIN, a TypeORM
   * QueryRunner with an active transaction). The caller commits; heads learnt here stay local.
   */
  withExecutor(sql: SqlExecutor): TransactionalEventStore {
    return new PostgresLedgerSession(sql, this.statements, new TransactionStreamHeads(this.heads));
  }
}
