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
  TransactionalEventStore,
  VerifyResult,
} from '../types';
import { InMemoryLedgerView } from './in-memory-ledger-view';
import { AsyncMutex, InMemoryLedgerState, InMemoryStaging } from './in-memory-state';

export interface InMemoryEventStoreOptions {
  /** Source of recorded-at; inject a fixed clock for deterministic time-travel tests. */
  now?: () => Date;
}

/**
 * The ledger's semantics without PostgreSQL, for unit tests of deciders and handlers: same
 * expected-version checks, idempotency, hashes, snapshots and errors. Transactions run one at a
 * time (an append outside one is a transaction of its own), so a transaction's work must not
 * call back into this store outside its `tx`: that would wait for itself.
 */
export class InMemoryEventStore implements EventStore {
  private readonly state = new InMemoryLedgerState();
  private readonly mutex = new AsyncMutex();
  private readonly now: () => Date;
  private readonly committed: InMemoryLedgerView;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.committed = new InMemoryLedgerView(this.state, undefined, this.now);
  }

  appendToStream<E extends DomainEvent>(
    streamId: string,
    events: readonly EventToAppend<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return this.transaction((tx) => tx.appendToStream(streamId, events, options));
  }

  readStream<E extends DomainEvent>(
    streamId: string,
    options?: ReadStreamOptions,
  ): Promise<RecordedEvent<E>[]> {
    return this.committed.readStream<E>(streamId, options);
  }

  aggregateStream<State, E extends DomainEvent>(
    streamId: string,
    evolve: (state: State, event: RecordedEvent<E>) => State,
    options: AggregateStreamOptions<State>,
  ): Promise<AggregateResult<State>> {
    return this.committed.aggregateStream(streamId, evolve, options);
  }

  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.committed.readAll(options);
  }

  verify(options?: { streamId?: string }): Promise<VerifyResult> {
    return this.committed.verify(options);
  }

  transaction<T>(work: (tx: TransactionalEventStore) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const staging = new InMemoryStaging(this.state.nextTransactionId++);
      const result = await work(new InMemoryLedgerView(this.state, staging, this.now));
      staging.commitTo(this.state);
      return result;
    });
  }
}
