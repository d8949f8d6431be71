// Allocation rounds, around the criteria: reading the caller's policies, the tree they split,
// and the stored rounds (the explanations live in the budget stream's UnitsAllocated events).
import {
  canonicalJson,
  type JsonValue,
  type TransactionalEventStore,
  type EventStore,
} from '@plafond/ledger';
import {
  allocationTree,
  budgetStreamId,
  spendableOf,
  type AllocatedUnit,
  type BudgetEvent,
  type BudgetPeriod,
  type OrganisationState,
} from '../domain';
import {
  ALLOCATION_ERROR_CODES,
  parsePolicy,
  serialise,
  serialisePolicy,
  type AllocationPolicy,
  type AllocationTreeNode,
  type PolicyIssue,
  type TreeAllocation,
  type UnitAllocation,
} from '../domain/criteria';
import { APPLICATION_ERROR_CODES, ApplicationError } from './errors';
import type { AllocationView } from './views';

/** Entries in one policies object: every parent of the largest tree at most. */
const MAX_POLICIES = 100_000;
const READ_PAGE = 10_000;

export interface ParsedPolicies {
  policies: Record<string, AllocationPolicy>;
  /** Canonical JSON form, stored with the round (bigints as strings, keys sorted). */
  stored: JsonValue;
}

/** `{ [unitId]: policy JSON }` → policies, or ALLOCATION.POLICY_INVALID with every issue. */
export function parsePolicies(input: unknown): ParsedPolicies {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw refusal([
      { path: 'policies', reason: 'EMPTY', message: 'must be an object keyed by unit id' },
    ]);
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > MAX_POLICIES)
    throw refusal([
      { path: 'policies', reason: 'TOO_MANY', message: `at most ${MAX_POLICIES} policies` },
    ]);
  const issues: PolicyIssue[] = [];
  const policies = new Map<string, AllocationPolicy>();
  for (const [unitId, json] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const parsed = parsePolicy(json, `policies[${JSON.stringify(unitId)}]`);
    if (parsed.ok) policies.set(unitId, parsed.value);
    else issues.push(...parsed.error.details.issues);
  }
  if (issues.length > 0) throw refusal(issues);
  const stored = JSON.parse(
    canonicalJson(
      Object.fromEntries([...policies].map(([id, policy]) => [id, serialisePolicy(policy)])),
    ),
  ) as JsonValue;
  return { policies: Object.fromEntries(policies), stored };
}

function refusal(issues: PolicyIssue[]): ApplicationError {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ApplicationError(
    APPLICATION_ERROR_CODES.policyInvalid,
    first === undefined
      ? ALLOCATION_ERROR_CODES.policyInvalid
      : `${first.path}: ${first.message}${more}`,
    { issues: issues.map(issueJson) },
  );
}

/** An issue as JSON (optional fields left out rather than undefined). */
export function issueJson(issue: PolicyIssue): { [key: string]: string } {
  return Object.fromEntries(
    Object.entries(issue).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The calendar date whose attributes a round uses: the period's first local day. */
export function periodStartDate(period: BudgetPeriod): string {
  return period.kind === 'month' ? `${period.key}-01` : (period.key.split('..')[0] ?? period.key);
}

export function treeFor(
  organisation: OrganisationState,
  perimeterUnitId: string,
  period: BudgetPeriod,
): AllocationTreeNode {
  return allocationTree(organisation, perimeterUnitId, periodStartDate(period));
}

/** A unit of a computed tree as stored in UnitsAllocated (see the domain's budget/allocate.ts). */
function allocatedUnit(unit: UnitAllocation): AllocatedUnit {
  const { unitId, parentId, depth, amount, explanation, split } = serialise(unit);
  return {
    unitId,
    parentId,
    depth,
    amount,
    explanation,
    split,
    spendable: spendableOf(unit).toString(),
  };
}

export const allocatedUnits = (tree: TreeAllocation): AllocatedUnit[] =>
  Object.values(tree.units).map(allocatedUnit);

/** The round from its events (BudgetAllocated, then its UnitsAllocated parts). */
export function allocationViewOf(
  events: readonly BudgetEvent[],
  allocationId: string,
): AllocationView | undefined {
  let view: AllocationView | undefined;
  const parts: { part: number; units: AllocatedUnit[] }[] = [];
  for (const event of events) {
    if (event.type === 'BudgetAllocated' && event.data.allocationId === allocationId)
      view = {
        budgetId: event.data.budgetId,
        allocationId,
        amount: event.data.amount,
        policies: event.data.policies,
        units: [],
      };
    if (event.type === 'UnitsAllocated' && event.data.allocationId === allocationId)
      parts.push({ part: event.data.part, units: event.data.units });
  }
  if (view === undefined) return undefined;
  view.units = parts.sort((a, b) => a.part - b.part).flatMap((part) => part.units);
  return view;
}

/** Reads a stored round from the budget stream, page by page (bounded by the stream's length). */
export async function readAllocation(
  source: Pick<EventStore | TransactionalEventStore, 'readStream'>,
  budgetId: string,
  allocationId: string,
): Promise<AllocationView | undefined> {
  const streamId = budgetStreamId(budgetId);
  const relevant: BudgetEvent[] = [];
  for (let fromVersion = 1n; ; fromVersion += BigInt(READ_PAGE)) {
    const page = await source.readStream<BudgetEvent>(streamId, {
      fromVersion,
      maxCount: READ_PAGE,
    });
    for (const event of page)
      if (
        (event.type === 'BudgetAllocated' || event.type === 'UnitsAllocated') &&
        event.data.allocationId === allocationId
      )
        relevant.push({ type: event.type, data: event.data } as BudgetEvent);
    if (page.length < READ_PAGE) break;
  }
  return allocationViewOf(relevant, allocationId);
}

/** Same policies as stored with a round (canonical JSON on both sides). */
export const samePolicies = (stored: JsonValue, parsed: ParsedPolicies): boolean =>
  canonicalJson(stored) === canonicalJson(parsed.stored);
