// One query of the read side = one PostgreSQL snapshot. Every stream a query loads (the budget,
// the organisation, the accounts) is folded inside a single REPEATABLE READ, READ ONLY
// transaction at the same `asOf`, so a transfer (out of one account, into another, in one ledger
// transaction) is seen whole or not at all and the totals of an answer always add up.
// READ ONLY takes no transaction id, so a long read never holds back the subscriptions.
import type {
  AsOf,
  DomainEvent,
  EventStore,
  RecordedEvent,
  TransactionalEventStore,
} from '@plafond/ledger';

/**
 * "Everything visible": the largest bigint position. Inside the snapshot it means now, and, as an
 * `asOf`, it keeps aggregateStream from writing a snapshot row (a READ ONLY transaction could not).
 */
const EVERYTHING: AsOf = { position: 9_223_372_036_854_775_807n };

/** Folds at least this many events past the newest snapshot: refresh it after the query. */
const SNAPSHOT_REFRESH_AFTER = 100;
/** Bound on the snapshot refreshes one query triggers. */
const MAX_REFRESHES_PER_QUERY = 32;

export interface StreamFold<State, E extends DomainEvent> {
  /** Snapshot name: the shape of State and the evolve function (change it when either changes). */
  snapshotName: string;
  evolve: (state: State, event: RecordedEvent<E>) => State;
  initialState: () => State;
}

export interface Loaded<State> {
  state: State;
  exists: boolean;
}

export class ConsistentRead {
  private readonly refresh = new Map<string, (store: EventStore) => Promise<unknown>>();

  constructor(
    readonly tx: TransactionalEventStore,
    /** The caller's asOf; undefined = now (this transaction's snapshot). */
    readonly asOf: AsOf | undefined,
  ) {}

  async load<State, E extends DomainEvent>(
    streamId: string,
    fold: StreamFold<State, E>,
  ): Promise<Loaded<State>> {
    const snapshot = { name: fold.snapshotName };
    const result = await this.tx.aggregateStream(streamId, fold.evolve, {
      initialState: fold.initialState,
      asOf: this.asOf ?? EVERYTHING,
      snapshot,
    });
    if (
      this.asOf === undefined &&
      result.eventsFolded >= SNAPSHOT_REFRESH_AFTER &&
      this.refresh.size < MAX_REFRESHES_PER_QUERY
    ) {
      // A plain load at the head (autocommit) writes the snapshot the next query starts from.
      this.refresh.set(streamId, (store) =>
        store.aggregateStream(streamId, fold.evolve, {
          initialState: fold.initialState,
          snapshot,
        }),
      );
    }
    return { state: result.state, exists: result.streamExists };
  }

  /** After the read transaction: save the snapshots of long folds; failures only cost speed. */
  async refreshSnapshots(
    store: EventStore,
    onError: (streamId: string, error: unknown) => void,
  ): Promise<void> {
    for (const [streamId, refresh] of this.refresh) {
      try {
        await refresh(store);
      } catch (error) {
        onError(streamId, error);
      }
    }
  }
}

/** Runs `work` in one REPEATABLE READ, READ ONLY transaction of the store. */
export async function readConsistently<T>(
  store: EventStore,
  asOf: AsOf | undefined,
  work: (read: ConsistentRead) => Promise<T>,
  onSnapshotError: (streamId: string, error: unknown) => void = () => undefined,
): Promise<T> {
  const { result, reader } = await store.transaction(async (tx) => {
    // Must be the transaction's first statement.
    await tx.sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const read = new ConsistentRead(tx, asOf);
    return { result: await work(read), reader: read };
  });
  await reader.refreshSnapshots(store, onSnapshotError);
  return result;
}

/** `position:<n>` or the ISO instant, as the HTTP layer accepts it; null for now. */
export function describeAsOf(asOf: AsOf | undefined): string | null {
  if (asOf === undefined) return null;
  return 'position' in asOf ? `position:${asOf.position}` : asOf.at.toISOString();
}
