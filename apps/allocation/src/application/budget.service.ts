// Budgets: opening, the ceiling, allocation rounds (with their explanations), transfers and the
// close. Each command is one unit of work; those that touch accounts append to the budget and
// to every account concerned in one ledger transaction (see the domain README, "Cross-stream
// operations"), under advisory locks taken before anything is loaded.
import { Inject, Injectable } from '@nestjs/common';
import type { Dimension } from '@plafond/contracts';
import {
  canonicalJson,
  PostgresEventStore,
  type AsOf,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  accountStreamId,
  accountTerms,
  availableOf,
  budgetStreamId,
  decideAccount,
  decideBudget,
  DOMAIN_ERROR_CODES,
  DomainError,
  ORGANISATION_STREAM_ID,
  type AccountCommand,
  type BudgetCommand,
  type BudgetState,
  type AccountState,
  type OpenBudgetData,
} from '../domain';
import { preview as previewTree } from '../domain/criteria';
import {
  allocatedUnits,
  allocationViewOf,
  parseAttributeOverrides,
  parsePolicies,
  readAllocation,
  samePolicies,
  treeFor,
  withAttributeOverrides,
  type AttributeOverrides,
} from './allocation-rounds';
import { CLOCK, type Clock } from './clock';
import {
  derivedEventId,
  metadataFor,
  type CommandContext,
  type MetadataSource,
} from './command-context';
import { APPLICATION_ERROR_CODES, ApplicationError, criteriaRefusal } from './errors';
import {
  budgetColumns,
  budgetUnitIds,
  findBudgetCommand,
  queryBudgets,
  recordBudgetCommand,
  type BudgetRow,
} from './index-tables';
import { accountAppends, appendAccount, appendBudget } from './stream-writes';
import { loadAccount, loadBudget, loadOrganisation, type Loaded } from './streams';
import { lockStreams } from './stream-locks';
import { runUnitOfWork } from './unit-of-work';
import {
  budgetView,
  type AllocationPreviewView,
  type AllocationView,
  type BudgetView,
  type TransferView,
} from './views';

export type OpenBudgetInput = OpenBudgetData;

export interface BudgetListFilter {
  status?: 'open' | 'closed';
  perimeterUnitId?: string;
  dimension?: Dimension;
}

/** Rows `list` returns at most (most recent periods first). */
export const BUDGET_LIST_LIMIT = 1_000;

const budgetCommand = <Type extends BudgetCommand['type']>(
  type: Type,
  data: Extract<BudgetCommand, { type: Type }>['data'],
  now: Date,
) => ({ type, data, metadata: { now } }) as Extract<BudgetCommand, { type: Type }>;

const accountCommand = <Type extends AccountCommand['type']>(
  type: Type,
  data: Extract<AccountCommand, { type: Type }>['data'],
  now: Date,
) => ({ type, data, metadata: { now } }) as Extract<AccountCommand, { type: Type }>;

function requireBudget(loaded: Loaded<BudgetState>, budgetId: string): Loaded<BudgetState> {
  if (loaded.state.status === 'none')
    throw new DomainError(DOMAIN_ERROR_CODES.budgetNotFound, `budget "${budgetId}" not found`, {
      budgetId,
    });
  return loaded;
}

function conflict(what: string, id: string): DomainError {
  return new DomainError(
    DOMAIN_ERROR_CODES.idempotencyConflict,
    `${what} "${id}" was made with another request`,
    { [`${what}Id`]: id },
  );
}

function rowView(row: BudgetRow): BudgetView {
  return {
    budgetId: row.budgetId,
    status: row.status,
    perimeterUnitId: row.perimeterUnitId,
    dimension: row.dimension as Dimension,
    period: {
      kind: row.periodKind as BudgetView['period']['kind'],
      key: row.periodKey,
      timeZone: row.timeZone,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt.toISOString(),
    },
    ceiling: row.ceiling.toString(),
    allocated: row.allocated.toString(),
    mode: row.mode as BudgetView['mode'],
    thresholdsBasisPoints: row.thresholdsBasisPoints,
  };
}

/**
 * The budget as if round `allocationId` had not been made (for a what-if preview only): its amount
 * freed and its id free. ALLOCATION.NOT_FOUND when there is no such round.
 */
function withoutRound(
  state: BudgetState,
  allocationId: string,
): { state: BudgetState; freed: bigint } {
  if (!Object.hasOwn(state.rounds, allocationId))
    throw new ApplicationError(
      APPLICATION_ERROR_CODES.allocationNotFound,
      `allocation "${allocationId}" not found in budget "${state.budgetId}"`,
      { budgetId: state.budgetId, allocationId, field: 'replacing' },
    );
  const freed = BigInt(state.rounds[allocationId] as string);
  const rounds = Object.fromEntries(
    Object.entries(state.rounds).filter(([roundId]) => roundId !== allocationId),
  );
  return {
    state: {
      ...state,
      allocated: state.allocated - freed,
      // Only the totals the decider checks (units ≤ allocated ≤ ceiling); the units' own
      // figures are not what a preview reads.
      unitsTotal: state.unitsTotal > freed ? state.unitsTotal - freed : 0n,
      rounds,
      roundCount: state.roundCount - 1,
    },
    freed,
  };
}

@Injectable()
export class BudgetService {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get schema(): string {
    return this.store.schema;
  }

  /** The perimeter must be an active unit; the tree is held (shared) while the budget opens. */
  open(ctx: CommandContext, input: OpenBudgetInput): Promise<BudgetView> {
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, this.schema, [ORGANISATION_STREAM_ID], 'shared');
      await lockStreams(tx.sql, this.schema, [budgetStreamId(input.budgetId)]);
      const loaded = await loadBudget(tx, input.budgetId);
      const now = this.clock();
      if (loaded.state.status === 'none') {
        const { state: organisation } = await loadOrganisation(tx);
        const unit = Object.hasOwn(organisation.units, input.perimeterUnitId)
          ? organisation.units[input.perimeterUnitId]
          : undefined;
        if (unit === undefined)
          throw new DomainError(
            DOMAIN_ERROR_CODES.unitNotFound,
            `unit "${input.perimeterUnitId}" not found`,
            {
              unitId: input.perimeterUnitId,
            },
          );
        if (unit.archived)
          throw new DomainError(
            DOMAIN_ERROR_CODES.unitArchived,
            `unit "${unit.unitId}" is archived`,
            {
              unitId: unit.unitId,
            },
          );
      }
      const events = decideBudget(budgetCommand('OpenBudget', input, now), loaded.state);
      const metadata = metadataFor({ ctx, now }, input.perimeterUnitId);
      return budgetView(await appendBudget(tx, this.schema, loaded, events, metadata, now));
    });
  }

  async get(budgetId: string, asOf?: AsOf): Promise<BudgetView> {
    return budgetView(requireBudget(await loadBudget(this.store, budgetId, asOf), budgetId).state);
  }

  /** From the budgets index (written with every budget event), most recent periods first. */
  list(filter: BudgetListFilter = {}): Promise<BudgetView[]> {
    return this.store.transaction(async (tx) => {
      const rows = await queryBudgets(
        tx.sql,
        `SELECT ${budgetColumns()} FROM "${this.schema}".budgets
          WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR perimeter_unit_id = $2)
            AND ($3::text IS NULL OR dimension = $3)
          ORDER BY starts_at DESC, budget_id LIMIT $4`,
        [
          filter.status ?? null,
          filter.perimeterUnitId ?? null,
          filter.dimension ?? null,
          BUDGET_LIST_LIMIT,
        ],
      );
      return rows.map(rowView);
    });
  }

  /**
   * Never raises it. Below what is allocated it is refused, unless `reclaimUnused` takes unused
   * quota back from the accounts (in proportion to each one's unused quota) in the same change.
   * `changeId` makes a retry return the budget instead of being read as another lowering.
   */
  lowerCeiling(
    ctx: CommandContext,
    budgetId: string,
    input: { changeId: string; ceiling: bigint; reclaimUnused: boolean },
  ): Promise<BudgetView> {
    const key = { budgetId, kind: 'ceiling', commandId: input.changeId };
    const request = { ceiling: input.ceiling.toString(), reclaimUnused: input.reclaimUnused };
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, this.schema, [budgetStreamId(budgetId)]);
      const known = await findBudgetCommand(tx.sql, this.schema, key);
      if (known !== undefined) {
        if (canonicalJson(known.request) !== canonicalJson(request))
          throw conflict('change', input.changeId);
        return budgetView(requireBudget(await loadBudget(tx, budgetId), budgetId).state);
      }
      const unitIds = input.reclaimUnused ? await budgetUnitIds(tx.sql, this.schema, budgetId) : [];
      await lockStreams(
        tx.sql,
        this.schema,
        unitIds.map((unitId) => accountStreamId(budgetId, unitId)),
      );
      const loaded = requireBudget(await loadBudget(tx, budgetId), budgetId);
      const now = this.clock();
      const { state } = loaded;
      const accounts = new Map<string, Loaded<AccountState>>();
      if (input.reclaimUnused && input.ceiling < state.allocated && input.ceiling <= state.ceiling)
        for (const unitId of Object.keys(state.units))
          accounts.set(unitId, await loadAccount(tx, budgetId, unitId));
      const unusedByUnit = Object.fromEntries(
        [...accounts]
          .filter(([, account]) => account.state.status !== 'none')
          .map(([unitId, account]) => [unitId, availableOf(account.state)]),
      );
      const events = decideBudget(
        budgetCommand(
          'LowerCeiling',
          {
            changeId: input.changeId,
            ceiling: input.ceiling,
            reclaimUnused: input.reclaimUnused,
            unusedByUnit,
            ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
          },
          now,
        ),
        state,
      );
      const source = { ctx, now };
      const after = await appendBudget(
        tx,
        this.schema,
        loaded,
        events,
        metadataFor(source, state.perimeterUnitId),
        now,
        derivedEventId(budgetStreamId(budgetId), 'ceiling', input.changeId),
      );
      const reclaimed = events.find((event) => event.type === 'UnusedQuotaReclaimed');
      for (const part of reclaimed?.data.reclaims ?? []) {
        const account = accounts.get(part.unitId);
        if (account === undefined)
          throw new Error(`reclaim from an account not loaded: ${part.unitId}`);
        const decided = decideAccount(
          accountCommand(
            'ReclaimQuota',
            { reclaimId: input.changeId, amount: BigInt(part.amount) },
            now,
          ),
          account.state,
        );
        await this.appendAccountEvents(tx, after, part.unitId, account.version, decided, source);
      }
      await recordBudgetCommand(tx.sql, this.schema, key, request, now);
      return budgetView(after);
    });
  }

  /**
   * What `allocate` would commit, written nowhere: the perimeter's tree with the attributes
   * effective on the period's first day, split by the policies. `amount` defaults to what the
   * ceiling leaves unallocated. The budget's own checks (open, ceiling, root) apply.
   * `attributeOverrides` replaces some units' weights for this preview only (what-if).
   * `replacing` computes and checks it as if that stored round were not there (its amount freed
   * for the ceiling check, and the default amount): a what-if on a fully allocated budget.
   * ALLOCATION.NOT_FOUND when the budget has no such round.
   */
  async preview(
    budgetId: string,
    input: {
      policies: unknown;
      amount?: bigint;
      attributeOverrides?: unknown;
      replacing?: string;
    },
  ): Promise<AllocationPreviewView> {
    const parsed = parsePolicies(input.policies);
    const overrides =
      input.attributeOverrides === undefined
        ? undefined
        : parseAttributeOverrides(input.attributeOverrides);
    const loaded = requireBudget(await loadBudget(this.store, budgetId), budgetId).state;
    const { state, freed } =
      input.replacing === undefined
        ? { state: loaded, freed: undefined }
        : withoutRound(loaded, input.replacing);
    const { state: organisation } = await loadOrganisation(this.store);
    const tree = this.computeRound(
      state,
      organisation,
      parsed.policies,
      input.amount ?? freed,
      overrides,
    );
    // The decider's checks, on an id no round can have: nothing is appended.
    let probe = 'preview';
    while (Object.hasOwn(state.rounds, probe)) probe = `${probe}'`;
    decideBudget(
      budgetCommand(
        'AllocateBudget',
        { allocationId: probe, preview: tree, policies: parsed.stored },
        this.clock(),
      ),
      state,
    );
    return { budgetId, amount: tree.amount.toString(), units: allocatedUnits(tree) };
  }

  /**
   * Commits a round: the budget's BudgetAllocated + UnitsAllocated (with every explanation), and
   * QuotaAllocated on the account of every unit of the tree (zero included, so each can receive
   * transfers), in one transaction. A retry with the same allocationId returns the stored round;
   * with another amount or other policies it is IDEMPOTENCY.CONFLICT.
   */
  allocate(
    ctx: CommandContext,
    budgetId: string,
    input: { allocationId: string; policies: unknown; amount?: bigint },
  ): Promise<AllocationView> {
    const parsed = parsePolicies(input.policies);
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, this.schema, [ORGANISATION_STREAM_ID], 'shared');
      await lockStreams(tx.sql, this.schema, [budgetStreamId(budgetId)]);
      const loaded = requireBudget(await loadBudget(tx, budgetId), budgetId);
      const { state } = loaded;
      if (Object.hasOwn(state.rounds, input.allocationId)) {
        const stored = await readAllocation(tx, budgetId, input.allocationId);
        if (stored === undefined) throw new Error(`round ${input.allocationId} without its events`);
        const sameAmount = input.amount === undefined || input.amount.toString() === stored.amount;
        if (!sameAmount || !samePolicies(stored.policies, parsed))
          throw conflict('allocation', input.allocationId);
        return stored;
      }
      const { state: organisation } = await loadOrganisation(tx);
      const tree = this.computeRound(state, organisation, parsed.policies, input.amount);
      const now = this.clock();
      const events = decideBudget(
        budgetCommand(
          'AllocateBudget',
          { allocationId: input.allocationId, preview: tree, policies: parsed.stored },
          now,
        ),
        state,
      );
      const units = events.flatMap((event) =>
        event.type === 'UnitsAllocated' ? event.data.units : [],
      );
      // Every account locked before the first write: the transaction takes its id at that write,
      // and no batch on these accounts can then have written after it (the ledger's order rule).
      await lockStreams(
        tx.sql,
        this.schema,
        units.map((unit) => accountStreamId(budgetId, unit.unitId)),
      );
      const accounts = new Map<string, Loaded<AccountState>>();
      for (const unit of units)
        accounts.set(unit.unitId, await loadAccount(tx, budgetId, unit.unitId));
      const source = { ctx, now };
      const after = await appendBudget(
        tx,
        this.schema,
        loaded,
        events,
        metadataFor(source, state.perimeterUnitId),
        now,
      );
      for (const unit of units) {
        const account = accounts.get(unit.unitId) as Loaded<AccountState>;
        const decided = decideAccount(
          accountCommand(
            'AllocateQuota',
            {
              allocationId: input.allocationId,
              amount: BigInt(unit.spendable),
              terms: accountTerms(after, unit.unitId),
            },
            now,
          ),
          account.state,
        );
        await this.appendAccountEvents(tx, after, unit.unitId, account.version, decided, source);
      }
      const view = allocationViewOf(events, input.allocationId);
      if (view === undefined) throw new Error('allocation decided without BudgetAllocated');
      return view;
    });
  }

  /** A stored round with its explanations (ALLOCATION.NOT_FOUND when there is none). */
  async allocation(budgetId: string, allocationId: string): Promise<AllocationView> {
    requireBudget(await loadBudget(this.store, budgetId), budgetId);
    const view = await readAllocation(this.store, budgetId, allocationId);
    if (view === undefined)
      throw new ApplicationError(
        APPLICATION_ERROR_CODES.allocationNotFound,
        `allocation "${allocationId}" not found in budget "${budgetId}"`,
        { budgetId, allocationId },
      );
    return view;
  }

  /**
   * Moves unused quota between two units of the budget: QuotaTransferred on the budget,
   * QuotaTransferredOut / In on the two accounts, in one transaction (totals conserved).
   */
  transfer(
    ctx: CommandContext,
    budgetId: string,
    input: {
      transferId: string;
      fromUnitId: string;
      toUnitId: string;
      amount: bigint;
      reason: string;
    },
  ): Promise<TransferView> {
    const key = { budgetId, kind: 'transfer', commandId: input.transferId };
    const request = {
      fromUnitId: input.fromUnitId,
      toUnitId: input.toUnitId,
      amount: input.amount.toString(),
      reason: input.reason,
    };
    const viewOf = (actor: string): TransferView => ({
      budgetId,
      transferId: input.transferId,
      ...request,
      actor,
    });
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, this.schema, [budgetStreamId(budgetId)]);
      await lockStreams(tx.sql, this.schema, [
        accountStreamId(budgetId, input.fromUnitId),
        accountStreamId(budgetId, input.toUnitId),
      ]);
      const known = await findBudgetCommand(tx.sql, this.schema, key);
      if (known !== undefined) {
        const { actor, ...original } = known.request as typeof request & { actor: string };
        if (canonicalJson(original) !== canonicalJson(request))
          throw conflict('transfer', input.transferId);
        return viewOf(actor);
      }
      const loaded = requireBudget(await loadBudget(tx, budgetId), budgetId);
      const now = this.clock();
      const data = { ...input, actor: ctx.actor };
      const events = decideBudget(budgetCommand('TransferQuota', data, now), loaded.state);
      const from = await loadAccount(tx, budgetId, input.fromUnitId);
      const to = await loadAccount(tx, budgetId, input.toUnitId);
      const out = decideAccount(
        accountCommand('TransferQuotaOut', { ...data, toUnitId: input.toUnitId }, now),
        from.state,
      );
      const into = decideAccount(
        accountCommand('TransferQuotaIn', { ...data, fromUnitId: input.fromUnitId }, now),
        to.state,
      );
      const source = { ctx: { ...ctx, reason: input.reason }, now };
      const after = await appendBudget(
        tx,
        this.schema,
        loaded,
        events,
        metadataFor(source, loaded.state.perimeterUnitId),
        now,
      );
      await this.appendAccountEvents(tx, after, input.fromUnitId, from.version, out, source);
      await this.appendAccountEvents(tx, after, input.toUnitId, to.version, into, source);
      await recordBudgetCommand(tx.sql, this.schema, key, { ...request, actor: ctx.actor }, now);
      return viewOf(ctx.actor);
    });
  }

  /**
   * Closes the period (early only with `closeEarly` and a reason in the context) and every
   * account of the budget — allocated ones and those opened by usage — releasing what is pending.
   */
  close(
    ctx: CommandContext,
    budgetId: string,
    input: { closeEarly?: boolean } = {},
  ): Promise<BudgetView> {
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, this.schema, [budgetStreamId(budgetId)]);
      const indexed = await budgetUnitIds(tx.sql, this.schema, budgetId);
      await lockStreams(
        tx.sql,
        this.schema,
        indexed.map((unitId) => accountStreamId(budgetId, unitId)),
      );
      const loaded = requireBudget(await loadBudget(tx, budgetId), budgetId);
      const now = this.clock();
      const events = decideBudget(
        budgetCommand(
          'ClosePeriod',
          {
            closeEarly: input.closeEarly === true,
            ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
          },
          now,
        ),
        loaded.state,
      );
      if (events.length === 0) return budgetView(loaded.state);
      const source = { ctx, now };
      const after = await appendBudget(
        tx,
        this.schema,
        loaded,
        events,
        metadataFor(source, loaded.state.perimeterUnitId),
        now,
      );
      const unitIds = new Set([...indexed, ...Object.keys(loaded.state.units)]);
      for (const unitId of [...unitIds].sort()) {
        const account = await loadAccount(tx, budgetId, unitId);
        if (account.state.status === 'none') continue;
        const decided = decideAccount(accountCommand('CloseAccount', {}, now), account.state);
        await this.appendAccountEvents(tx, after, unitId, account.version, decided, source);
      }
      return budgetView(after);
    });
  }

  private computeRound(
    state: BudgetState,
    organisation: Parameters<typeof treeFor>[0],
    policies: ReturnType<typeof parsePolicies>['policies'],
    amount: bigint | undefined,
    overrides?: AttributeOverrides,
  ) {
    if (state.period === null) throw new Error('budget without a period');
    const actual = treeFor(organisation, state.perimeterUnitId, state.period);
    const tree = overrides === undefined ? actual : withAttributeOverrides(actual, overrides);
    const unallocated = state.ceiling > state.allocated ? state.ceiling - state.allocated : 0n;
    const result = previewTree(tree, policies, amount ?? unallocated);
    if (!result.ok) throw criteriaRefusal(result.error);
    return result.value;
  }

  private async appendAccountEvents(
    tx: TransactionalEventStore,
    budget: BudgetState,
    unitId: string,
    version: bigint,
    events: ReturnType<typeof decideAccount>,
    source: MetadataSource,
  ): Promise<void> {
    if (events.length === 0) return;
    const streamId = accountStreamId(budget.budgetId, unitId);
    await appendAccount(
      tx,
      this.schema,
      { budgetId: budget.budgetId, unitId, dimension: budget.dimension },
      version,
      accountAppends(streamId, events, metadataFor(source, unitId)),
      source.now,
    );
  }
}
