// Test-only: a realistic allocation workload written with the pure deciders straight into a real
// PostgresEventStore (load, decide, append with the loaded version), the way the application
// services do it, so the read side is tested on the exact events the domain emits.
import type { Decider, DomainEvent, EventStore, TransactionalEventStore } from '@plafond/ledger';
import {
  accountDecider,
  accountStreamId,
  accountTerms,
  allocationTree,
  budgetDecider,
  budgetStreamId,
  evolveBudget,
  evolveOrganisation,
  initialBudgetState,
  initialOrganisationState,
  organisationDecider,
  ORGANISATION_STREAM_ID,
  type AccountCommand,
  type BudgetCommand,
  type BudgetState,
  type OpenBudgetData,
  type OrganisationCommand,
} from '../../domain';
import { preview, serialise, type AllocationPolicy } from '../../domain/criteria';

export interface Ctx {
  actor: string;
  reason?: string;
  correlationId?: string;
}

type Store = EventStore | TransactionalEventStore;

const standard = { className: 'standard', rule: { kind: 'allowed' as const } };

export class AllocationWorkload {
  /** The business clock of the commands (inside March 2026); the ledger stamps recordedAt. */
  now = new Date('2026-03-02T09:00:00.000Z');
  /** Highest global position appended so far. */
  lastPosition = 0n;

  constructor(readonly store: EventStore) {}

  private tick(): Date {
    this.now = new Date(this.now.getTime() + 60_000);
    return this.now;
  }

  private async run<S, C, E extends DomainEvent>(
    store: Store,
    streamId: string,
    decider: Decider<S, C, E>,
    command: (now: Date) => C,
    ctx: Ctx,
    partitionKey: string,
  ): Promise<{ state: S; events: E[] }> {
    const evolve = (current: S, event: E): S => decider.evolve(current, event);
    const { state, currentVersion } = await store.aggregateStream(streamId, evolve, {
      initialState: () => decider.initialState(),
    });
    const now = this.tick();
    const decided = decider.decide(command(now), state);
    const events = (Array.isArray(decided) ? decided : [decided]) as E[];
    if (events.length > 0) {
      const result = await store.appendToStream(
        streamId,
        events.map((event) => ({
          type: event.type,
          data: event.data,
          metadata: {
            actor: ctx.actor,
            ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
            ...(ctx.correlationId === undefined ? {} : { correlationId: ctx.correlationId }),
            occurredAt: now.toISOString(),
            partitionKey,
          },
        })),
        { expectedVersion: currentVersion },
      );
      if (result.lastGlobalPosition > this.lastPosition)
        this.lastPosition = result.lastGlobalPosition;
    }
    return { state: events.reduce(evolve, state), events };
  }

  private organisation(
    store: Store,
    command: (now: Date) => OrganisationCommand,
    ctx: Ctx,
    unitId: string,
  ) {
    return this.run(store, ORGANISATION_STREAM_ID, organisationDecider, command, ctx, unitId);
  }

  private budget(store: Store, budgetId: string, command: (now: Date) => BudgetCommand, ctx: Ctx) {
    return this.run(store, budgetStreamId(budgetId), budgetDecider, command, ctx, budgetId);
  }

  private account(
    store: Store,
    budgetId: string,
    unitId: string,
    command: (now: Date) => AccountCommand,
    ctx: Ctx,
  ) {
    return this.run(store, accountStreamId(budgetId, unitId), accountDecider, command, ctx, unitId);
  }

  async createUnit(unitId: string, parentId: string | null, name: string, ctx: Ctx) {
    await this.organisation(
      this.store,
      (now) => ({ type: 'CreateUnit', data: { unitId, parentId, name }, metadata: { now } }),
      ctx,
      unitId,
    );
  }

  async renameUnit(unitId: string, name: string, ctx: Ctx) {
    await this.organisation(
      this.store,
      (now) => ({ type: 'RenameUnit', data: { unitId, name }, metadata: { now } }),
      ctx,
      unitId,
    );
  }

  async openBudget(data: OpenBudgetData, ctx: Ctx) {
    await this.budget(
      this.store,
      data.budgetId,
      (now) => ({ type: 'OpenBudget', data, metadata: { now } }),
      ctx,
    );
  }

  /** Preview on the organisation's tree, AllocateBudget, then AllocateQuota on every unit: one transaction. */
  async allocate(
    budgetId: string,
    allocationId: string,
    policies: Record<string, AllocationPolicy>,
    amount: bigint,
    ctx: Ctx,
  ) {
    await this.store.transaction(async (tx) => {
      const budgetNow = await tx.aggregateStream(budgetStreamId(budgetId), evolveBudget, {
        initialState: initialBudgetState,
      });
      const organisation = await tx.aggregateStream(ORGANISATION_STREAM_ID, evolveOrganisation, {
        initialState: initialOrganisationState,
      });
      const perimeter = budgetNow.state.perimeterUnitId;
      const startDate = (budgetNow.state.period?.startsAt ?? '').slice(0, 10);
      const result = preview(
        allocationTree(organisation.state, perimeter, startDate),
        policies,
        amount,
      );
      if (!result.ok) throw new Error(result.error.message);
      const { state, events } = await this.budget(
        tx,
        budgetId,
        (now) => ({
          type: 'AllocateBudget',
          data: { allocationId, preview: result.value, policies: serialise(policies) },
          metadata: { now },
        }),
        ctx,
      );
      const budget: BudgetState = state;
      for (const event of events) {
        if (event.type !== 'UnitsAllocated') continue;
        for (const unit of event.data.units) {
          await this.account(
            tx,
            budgetId,
            unit.unitId,
            (now) => ({
              type: 'AllocateQuota',
              data: {
                allocationId,
                amount: BigInt(unit.spendable),
                terms: accountTerms(budget, unit.unitId),
              },
              metadata: { now },
            }),
            ctx,
          );
        }
      }
    });
  }

  async reserve(budgetId: string, unitId: string, reservationId: string, amount: bigint, ctx: Ctx) {
    await this.account(
      this.store,
      budgetId,
      unitId,
      (now) => ({
        type: 'ReserveQuota',
        data: {
          reservationId,
          amount,
          useCase: 'chat',
          usefulnessClass: standard,
          timeoutMs: 600_000,
        },
        metadata: { now },
      }),
      ctx,
    );
  }

  async commit(budgetId: string, unitId: string, reservationId: string, amount: bigint, ctx: Ctx) {
    await this.account(
      this.store,
      budgetId,
      unitId,
      (now) => ({ type: 'CommitReservation', data: { reservationId, amount }, metadata: { now } }),
      ctx,
    );
  }

  async release(budgetId: string, unitId: string, reservationId: string, ctx: Ctx) {
    await this.account(
      this.store,
      budgetId,
      unitId,
      (now) => ({ type: 'ReleaseReservation', data: { reservationId }, metadata: { now } }),
      ctx,
    );
  }

  /** A usage debited directly (no reservation); beyond the available quota it is an overrun. */
  async usage(budgetId: string, unitId: string, usageId: string, amount: bigint, ctx: Ctx) {
    await this.account(
      this.store,
      budgetId,
      unitId,
      (now) => ({
        type: 'RecordUsage',
        data: { usageId, amount, useCase: 'chat', usefulnessClass: 'standard' },
        metadata: { now },
      }),
      ctx,
    );
  }

  /** TransferQuota on the budget, out of one account, into the other: one transaction. */
  async transfer(
    budgetId: string,
    transferId: string,
    fromUnitId: string,
    toUnitId: string,
    amount: bigint,
    ctx: Ctx & { reason: string },
  ) {
    await this.store.transaction(async (tx) => {
      const data = { transferId, amount, reason: ctx.reason, actor: ctx.actor };
      await this.budget(
        tx,
        budgetId,
        (now) => ({
          type: 'TransferQuota',
          data: { ...data, fromUnitId, toUnitId },
          metadata: { now },
        }),
        ctx,
      );
      await this.account(
        tx,
        budgetId,
        fromUnitId,
        (now) => ({ type: 'TransferQuotaOut', data: { ...data, toUnitId }, metadata: { now } }),
        ctx,
      );
      await this.account(
        tx,
        budgetId,
        toUnitId,
        (now) => ({ type: 'TransferQuotaIn', data: { ...data, fromUnitId }, metadata: { now } }),
        ctx,
      );
    });
  }
}
