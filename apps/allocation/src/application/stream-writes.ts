// Appends to budget and account streams, with the index rows they imply, in the caller's
// transaction. Event ids are derived from the ids the domain treats as "once per stream" (a
// reservation's grant and its outcome, a usage, an allocation round, a transfer...), so the
// ledger itself refuses a second one even where the domain's memory (e.g. its window of recent
// reservation outcomes) has moved on. Other events get ids the ledger derives from the first.
import {
  ledgerLimits,
  type EventMetadata,
  type EventToAppend,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  accountStreamId,
  budgetStreamId,
  evolveBudget,
  type AccountEvent,
  type BudgetEvent,
  type BudgetState,
} from '../domain';
import { derivedEventId } from './command-context';
import { indexAccountEvents, indexBudgetEvents } from './index-tables';

export function accountEventId(streamId: string, event: AccountEvent): string | undefined {
  switch (event.type) {
    case 'AccountOpened':
      return derivedEventId(streamId, 'opened');
    case 'QuotaReserved':
      return derivedEventId(streamId, 'reserved', event.data.reservationId);
    case 'ReservationCommitted':
    case 'ReservationReleased':
    case 'ReservationExpired':
      return derivedEventId(streamId, 'outcome', event.data.reservationId);
    case 'UsageDebited':
      return derivedEventId(streamId, 'usage', event.data.usageId);
    case 'QuotaAllocated':
      return derivedEventId(streamId, 'allocation', event.data.allocationId);
    case 'QuotaTransferredOut':
    case 'QuotaTransferredIn':
      return derivedEventId(streamId, 'transfer', event.data.transferId);
    case 'QuotaReclaimed':
      return derivedEventId(streamId, 'reclaim', event.data.reclaimId);
    case 'AccountClosed':
      return derivedEventId(streamId, 'closed');
    default:
      return undefined;
  }
}

export function budgetEventId(streamId: string, event: BudgetEvent): string | undefined {
  switch (event.type) {
    case 'BudgetOpened':
      return derivedEventId(streamId, 'opened');
    case 'BudgetAllocated':
      return derivedEventId(streamId, 'allocation', event.data.allocationId);
    case 'QuotaTransferred':
      return derivedEventId(streamId, 'transfer', event.data.transferId);
    case 'UnusedQuotaReclaimed':
      return derivedEventId(streamId, 'reclaim', event.data.reclaimId);
    case 'PeriodClosed':
      return derivedEventId(streamId, 'closed');
    default:
      return undefined;
  }
}

/** Ties each account event to its metadata and id. */
export function accountAppends(
  streamId: string,
  events: readonly AccountEvent[],
  metadata: EventMetadata | ((event: AccountEvent) => EventMetadata),
): EventToAppend<AccountEvent>[] {
  return events.map((event) => {
    const eventId = accountEventId(streamId, event);
    return {
      ...event,
      metadata: typeof metadata === 'function' ? metadata(event) : metadata,
      ...(eventId === undefined ? {} : { eventId }),
    };
  });
}

export interface AccountTarget {
  budgetId: string;
  unitId: string;
  dimension: string;
}

/**
 * Appends to one account at `expectedVersion` (in chunks of the ledger's per-append bound) and
 * writes its index rows. `idempotentReplay`: every event was already stored under its id (a
 * repeated command the domain could not recognise), so nothing was written.
 */
export async function appendAccount(
  tx: TransactionalEventStore,
  schema: string,
  target: AccountTarget,
  expectedVersion: bigint,
  appends: readonly EventToAppend<AccountEvent>[],
  now: Date,
): Promise<{ version: bigint; idempotentReplay: boolean }> {
  const streamId = accountStreamId(target.budgetId, target.unitId);
  let version = expectedVersion;
  let replayed = true;
  for (let start = 0; start < appends.length; start += ledgerLimits.MAX_EVENTS_PER_APPEND) {
    const chunk = appends.slice(start, start + ledgerLimits.MAX_EVENTS_PER_APPEND);
    const result = await tx.appendToStream(streamId, chunk, { expectedVersion: version });
    version = result.nextExpectedVersion;
    replayed &&= result.idempotentReplay;
  }
  if (replayed) return { version, idempotentReplay: true };
  const events = appends.map(({ type, data }) => ({ type, data }) as AccountEvent);
  await indexAccountEvents(tx.sql, schema, { streamId, dimension: target.dimension }, events, now);
  return { version, idempotentReplay: false };
}

/** Appends decided budget events (≤ 1 000: rounds are split in parts of 200 units) and indexes them. */
export async function appendBudget(
  tx: TransactionalEventStore,
  schema: string,
  loaded: { state: BudgetState; version: bigint },
  events: readonly BudgetEvent[],
  metadata: EventMetadata,
  now: Date,
  firstEventId?: string,
): Promise<BudgetState> {
  const first = events[0];
  if (first === undefined) return loaded.state;
  const streamId = budgetStreamId(first.data.budgetId);
  const appends = events.map((event, index): EventToAppend<BudgetEvent> => {
    const eventId = budgetEventId(streamId, event) ?? (index === 0 ? firstEventId : undefined);
    return { ...event, metadata, ...(eventId === undefined ? {} : { eventId }) };
  });
  const appended = await tx.appendToStream(streamId, appends, { expectedVersion: loaded.version });
  // A replay of events already recorded was indexed when they were first appended.
  if (!appended.idempotentReplay) await indexBudgetEvents(tx.sql, schema, events, now);
  return events.reduce(evolveBudget, loaded.state);
}
