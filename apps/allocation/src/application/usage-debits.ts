// Debits from recorded usage, inside the inbox transaction of the usage.recorded consumer (so a
// usage takes effect exactly once however often Kafka delivers it).
//
// Routing: every budget — open or closed — whose period contains `occurredAt` and that covers the
// unit: its perimeter is the unit or an ancestor (today's tree), or the unit already holds an
// account in it (e.g. it moved out of the perimeter since). Each gets one RecordUsage with the
// quantity of its own dimension. A closed budget records late usage on the unit's (closed)
// account — the domain allows it — so its overrun is on record for billing; a unit without an
// account there gets one opened, debited and closed in the same append. A reservation named by
// the usage is passed to its own budget only (the other budgets debit directly).
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Dimension, UsageRecordedV1 } from '@plafond/contracts';
import {
  LedgerIdempotencyConflictError,
  PostgresEventStore,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  accountStreamId,
  accountTerms,
  ancestry,
  budgetStreamId,
  decideAccount,
  evolveAccount,
  type AccountCommand,
  type AccountEvent,
  type BudgetState,
  type CatalogState,
  type OrganisationState,
} from '../domain';
import { CLOCK, type Clock } from './clock';
import { metadataFor } from './command-context';
import { budgetColumns, findReservations, queryBudgets, type BudgetRow } from './index-tables';
import { accountAppends, appendAccount } from './stream-writes';
import { loadAccount, loadBudget, loadCatalog, loadOrganisation } from './streams';
import { lockStreams } from './stream-locks';

export interface UsageDebitOutcome {
  budgetId: string;
  unitId: string;
  dimension: Dimension;
  /** The quantity debited, in the dimension's base unit. */
  amount: string;
  /** The reservation passed to this budget's account, if any. */
  reservationId: string | null;
  /** `duplicate`: this usage id was already recorded on the account (nothing written). */
  status: 'debited' | 'duplicate';
  /** Types of the events appended, in order (UsageDebited, OverrunRecorded, UnitBlocked...). */
  eventTypes: string[];
  /** Part of the amount beyond the allocation. */
  overrunAmount: string;
}

/** The usage's quantity in a budget's dimension (absent optional quantities count as zero). */
export function quantityOf(usage: UsageRecordedV1, dimension: Dimension): bigint {
  switch (dimension) {
    case 'energy':
      return usage.energyMicroWh;
    case 'carbon':
      return usage.carbonMicroGrams;
    case 'compute':
      return usage.gpuMs ?? 0n;
    case 'requests':
      return usage.requests;
    case 'tokens':
      return (usage.inputTokens ?? 0n) + (usage.outputTokens ?? 0n);
    default: {
      const unreachable: never = dimension;
      throw new Error(`unknown dimension ${String(unreachable)}`);
    }
  }
}

// eslint-disable-next-line no-control-regex -- the domain refuses control characters in ids
const USAGE_ID = /^[^\u0000-\u001f\u007f]{1,90}$/;

/** The inbox key as the usage id when it fits the domain's ids; else a stable hash of it. */
export function usageIdOf(messageId: string): string {
  if (USAGE_ID.test(messageId) && messageId.trim() === messageId) return messageId;
  return `usage-sha256-${createHash('sha256').update(messageId).digest('hex').slice(0, 48)}`;
}

function ancestorsOf(organisation: OrganisationState, unitId: string): string[] {
  return Object.hasOwn(organisation.units, unitId) ? ancestry(organisation, unitId) : [];
}

function classOf(catalog: CatalogState, useCase: string): string | null {
  return Object.hasOwn(catalog.useCases, useCase)
    ? (catalog.useCases[useCase]?.className ?? null)
    : null;
}

/**
 * What the usages applied in one transaction (a consumer's chunk of records) read alike, loaded
 * once per transaction instead of once per usage. Sound because:
 * - a budget is read under the shared lock on its stream, held until the transaction ends, so no
 *   writer can change it in between;
 * - the organisation and the catalog are read without a lock by every usage anyway; what a chunk
 *   needs of them (the unit, its ancestors, the use case) was committed before its usage was
 *   recorded, so before the chunk was fetched and its transaction began.
 * Keyed by the transaction object: a retried unit of work gets a new one, so nothing outlives it.
 */
interface SharedReads {
  organisation?: Promise<OrganisationState>;
  catalog?: Promise<CatalogState>;
  budgets: Map<string, Promise<BudgetState>>;
}

const recordUsage = (data: Extract<AccountCommand, { type: 'RecordUsage' }>['data'], now: Date) =>
  ({ type: 'RecordUsage', data, metadata: { now } }) as const;

@Injectable()
export class UsageDebits {
  private readonly shared = new WeakMap<TransactionalEventStore, SharedReads>();

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Within the caller's transaction (the inbox's); returns what it did, per budget. */
  async apply(
    tx: TransactionalEventStore,
    usage: UsageRecordedV1,
    context: { messageId: string; actor: string },
  ): Promise<UsageDebitOutcome[]> {
    const schema = this.store.schema;
    const occurredAt = new Date(usage.occurredAt);
    const reservation =
      usage.reservationId === undefined
        ? undefined
        : (await findReservations(tx.sql, schema, [usage.reservationId])).get(usage.reservationId);
    const reservationBudget =
      reservation?.unitId === usage.unitId ? reservation.budgetId : undefined;
    const reads = this.sharedReads(tx);
    reads.organisation ??= loadOrganisation(tx).then((loaded) => loaded.state);
    const organisation = await reads.organisation;
    const routes = (
      await queryBudgets(
        tx.sql,
        `SELECT ${budgetColumns('b')} FROM "${schema}".budgets b
          WHERE (b.starts_at <= $1 AND b.ends_at > $1 AND (b.perimeter_unit_id = ANY($2::text[])
                 OR EXISTS (SELECT 1 FROM "${schema}".budget_units u
                             WHERE u.budget_id = b.budget_id AND u.unit_id = $3)))
             OR b.budget_id = $4
          ORDER BY b.budget_id`,
        [
          occurredAt,
          ancestorsOf(organisation, usage.unitId),
          usage.unitId,
          reservationBudget ?? null,
        ],
      )
    ).filter(
      (budget) =>
        budget.budgetId === reservationBudget ||
        quantityOf(usage, budget.dimension as Dimension) > 0n,
    );
    if (routes.length === 0) return [];
    await lockStreams(
      tx.sql,
      schema,
      routes.map((budget) => budgetStreamId(budget.budgetId)),
      'shared',
    );
    await lockStreams(
      tx.sql,
      schema,
      routes.map((budget) => accountStreamId(budget.budgetId, usage.unitId)),
    );
    reads.catalog ??= loadCatalog(tx).then((loaded) => loaded.state);
    const catalog = await reads.catalog;
    const now = this.clock();
    const outcomes: UsageDebitOutcome[] = [];
    for (const route of routes) {
      const passReservation =
        usage.reservationId !== undefined &&
        (reservationBudget === undefined || reservationBudget === route.budgetId);
      outcomes.push(
        await this.debit(tx, usage, route, {
          usageId: usageIdOf(context.messageId),
          className: classOf(catalog, usage.useCase),
          reservationId: passReservation ? usage.reservationId : undefined,
          now,
          source: { ctx: { actor: context.actor }, now, causationId: context.messageId },
        }),
      );
    }
    return outcomes;
  }

  private sharedReads(tx: TransactionalEventStore): SharedReads {
    let reads = this.shared.get(tx);
    if (reads === undefined) {
      reads = { budgets: new Map() };
      this.shared.set(tx, reads);
    }
    return reads;
  }

  /** The budget's state, once per transaction (read under its shared lock, taken by `apply`). */
  private budgetOf(tx: TransactionalEventStore, budgetId: string): Promise<BudgetState> {
    const budgets = this.sharedReads(tx).budgets;
    let budget = budgets.get(budgetId);
    if (budget === undefined) {
      budget = loadBudget(tx, budgetId).then((loaded) => loaded.state);
      budgets.set(budgetId, budget);
    }
    return budget;
  }

  private async debit(
    tx: TransactionalEventStore,
    usage: UsageRecordedV1,
    route: BudgetRow,
    debit: {
      usageId: string;
      className: string | null;
      reservationId: string | undefined;
      now: Date;
      source: Parameters<typeof metadataFor>[0];
    },
  ): Promise<UsageDebitOutcome> {
    const dimension = route.dimension as Dimension;
    const amount = quantityOf(usage, dimension);
    const budget = await this.budgetOf(tx, route.budgetId);
    const account = await loadAccount(tx, route.budgetId, usage.unitId);
    const data = {
      usageId: debit.usageId,
      amount,
      useCase: usage.useCase,
      usefulnessClass: debit.className,
      occurredAt: usage.occurredAt,
      ...(debit.reservationId === undefined ? {} : { reservationId: debit.reservationId }),
    };
    let events: AccountEvent[];
    if (account.state.status !== 'none') {
      events = decideAccount(recordUsage(data, debit.now), account.state);
    } else if (budget.status === 'open') {
      const terms = accountTerms(budget, usage.unitId);
      events = decideAccount(recordUsage({ ...data, terms }, debit.now), account.state);
    } else {
      // Late usage of a closed period by a unit without an account there: the account is opened
      // and closed like the budget's others, then debited as any closed account would be.
      const terms = accountTerms(budget, usage.unitId);
      const opened = decideAccount(
        recordUsage({ ...data, terms }, debit.now),
        account.state,
      ).filter((event) => event.type === 'AccountOpened');
      const closing = { type: 'CloseAccount', data: {}, metadata: { now: debit.now } } as const;
      const closed = decideAccount(closing, opened.reduce(evolveAccount, account.state));
      const before = [...opened, ...closed];
      events = [
        ...before,
        ...decideAccount(recordUsage(data, debit.now), before.reduce(evolveAccount, account.state)),
      ];
    }
    const streamId = accountStreamId(route.budgetId, usage.unitId);
    const debited = events.find((event) => event.type === 'UsageDebited');
    const outcome: UsageDebitOutcome = {
      budgetId: route.budgetId,
      unitId: usage.unitId,
      dimension,
      amount: amount.toString(),
      reservationId: debit.reservationId ?? null,
      status: 'debited',
      eventTypes: events.map((event) => event.type),
      overrunAmount: debited?.type === 'UsageDebited' ? debited.data.overrunAmount : '0',
    };
    try {
      const appended = await appendAccount(
        tx,
        this.store.schema,
        { budgetId: route.budgetId, unitId: usage.unitId, dimension },
        account.version,
        accountAppends(streamId, events, metadataFor(debit.source, usage.unitId)),
        debit.now,
      );
      return appended.idempotentReplay
        ? { ...outcome, status: 'duplicate', eventTypes: [] }
        : outcome;
    } catch (error) {
      // The usage id is already on this account (a delivery the inbox could not recognise, e.g.
      // under another consumer name): recorded once, never twice.
      if (error instanceof LedgerIdempotencyConflictError)
        return { ...outcome, status: 'duplicate', eventTypes: [] };
      throw error;
    }
  }
}
