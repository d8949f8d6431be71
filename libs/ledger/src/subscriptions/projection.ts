import type { EventStore, RecordedEvent, SqlExecutor, TransactionalEventStore } from '../types';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { Subscription, type SubscriptionHooks } from './subscription';
import type { SubscriptionLogger } from './subscription.logger';
import type { SubscriptionTuning } from './subscription.settings';

export interface ProjectionTable {
  /** Table name inside the read-model schema. */
  name: string;
  /**
   * Deterministic dump for the digest: a SELECT over `schema` whose ORDER BY is a total order.
   * Default: every column, ordered by the table's primary key.
   */
  dumpQuery?: (schema: string) => string;
}

export interface ProjectionContext {
  readonly tx: TransactionalEventStore;
  readonly sql: SqlExecutor;
  /** Schema the read model lives in: the live one, or a fresh one during a rebuild. */
  readonly schema: string;
  /** Quoted, schema-qualified name of one of the projection's tables. */
  table(name: string): string;
}

/**
 * An in-database read model. `apply` must be a deterministic function of the events (no clock,
 * no random ids, no reads outside its own tables and the events) so that a rebuild from
 * position 0 reproduces the live tables byte for byte.
 */
export interface Projection {
  /** Default subscription name. */
  readonly name: string;
  readonly tables: readonly ProjectionTable[];
  /** DDL creating the tables in `schema`; must be re-runnable (IF NOT EXISTS). */
  createStatements(schema: string): string[];
  apply(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void>;
}

export function projectionContext(
  tx: TransactionalEventStore,
  schema: string,
  projection: Projection,
): ProjectionContext {
  const known = new Set(projection.tables.map((table) => table.name));
  return {
    tx,
    sql: tx.sql,
    schema,
    table(name: string): string {
      if (!known.has(name))
        throw new Error(`projection ${projection.name} does not declare table ${name}`);
      return qualifiedName(schema, name);
    },
  };
}

/** Statements for a migration: the read-model schema and the projection's tables. */
export function projectionMigrationStatements(projection: Projection, schema: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`,
    ...projection.createStatements(schema),
  ];
}

export interface ProjectionSubscriptionOptions extends SubscriptionTuning {
  store: EventStore;
  /** Ledger schema holding the checkpoints. */
  schema: string;
  projection: Projection;
  /** Schema of the live read model. */
  readModelSchema: string;
  /** Defaults to `projection.name`. */
  name?: string;
  hooks?: SubscriptionHooks;
  logger?: SubscriptionLogger;
}

/** A subscription whose read-model writes and checkpoint commit in one transaction. */
export function createProjectionSubscription(options: ProjectionSubscriptionOptions): Subscription {
  const { projection, readModelSchema } = options;
  quoteIdentifier(readModelSchema);
  return new Subscription({
    ...options,
    name: options.name ?? projection.name,
    handler: {
      kind: 'transactional',
      handle: (events, { tx }) =>
        projection.apply(events, projectionContext(tx, readModelSchema, projection)),
    },
  });
}
