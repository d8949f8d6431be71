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
import { DomainError, DOMAIN_ERROR_CODES, DOMAIN_LIMITS } from '../domain';
import { readWeight, validateAttributes } from '../domain/organisation/attributes';
import type { WeightValue } from '../domain/criteria';
import { parseAttributeValues } from './attributes-input';
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

/** What-if weights of one preview: unit → attribute → weight, null to leave it out. */
export type AttributeOverrides = Record<string, Record<string, WeightValue | null>>;

function overrideInvalid(field: string, reason: string): DomainError {
  return new DomainError(DOMAIN_ERROR_CODES.commandInvalid, `${field}: ${reason}`, {
    field,
    reason,
  });
}

/**
 * `{ unitId: { attribute: "weight" | null } }` as the API takes it → weights, checked as
 * `PUT …/attributes` checks them (COMMAND.INVALID, `details.field` naming the override). Whether
 * each unit is in the tree is checked by `withAttributeOverrides`.
 */
export function parseAttributeOverrides(input: unknown): AttributeOverrides {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw overrideInvalid('attributeOverrides', 'must be an object of unit id → attributes');
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > DOMAIN_LIMITS.units)
    throw overrideInvalid('attributeOverrides', `at most ${DOMAIN_LIMITS.units} units`);
  const parsed: AttributeOverrides = {};
  for (const [unitId, values] of entries) {
    const field = `attributeOverrides.${unitId}`;
    if (typeof values !== 'object' || values === null || Array.isArray(values))
      throw overrideInvalid(field, 'must be an object of attribute name → weight');
    let weights: Record<string, WeightValue | null>;
    try {
      const given = parseAttributeValues(values as Record<string, string>);
      // Unlike a stored version, an empty override is allowed: it changes nothing.
      const stored = Object.keys(given).length === 0 ? {} : validateAttributes(given);
      weights = Object.fromEntries(
        Object.entries(stored).map(([name, weight]) => [
          name,
          weight === null ? null : readWeight(weight, name),
        ]),
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const inner = typeof error.details.field === 'string' ? error.details.field : '';
      const reason =
        typeof error.details.reason === 'string' ? error.details.reason : error.message;
      throw overrideInvalid(`${field}${inner.replace(/^attributes( \(name\))?/, '')}`, reason);
    }
    // defineProperty: a unit named "__proto__" stays data.
    Object.defineProperty(parsed, unitId, { value: weights, enumerable: true });
  }
  return parsed;
}

/**
 * The tree with the overridden weights (the others as effective on the period's first day).
 * A unit not in the tree is COMMAND.INVALID: a what-if names units the round would split.
 */
export function withAttributeOverrides(
  tree: AllocationTreeNode,
  overrides: AttributeOverrides,
): AllocationTreeNode {
  const seen = new Set<string>();
  const apply = (node: AllocationTreeNode): AllocationTreeNode => {
    const override = Object.hasOwn(overrides, node.unitId) ? overrides[node.unitId] : undefined;
    let attributes = node.attributes;
    if (override !== undefined) {
      seen.add(node.unitId);
      const merged = new Map(Object.entries(node.attributes ?? {}));
      for (const [name, weight] of Object.entries(override)) {
        if (weight === null) merged.delete(name);
        else merged.set(name, weight);
      }
      attributes = Object.fromEntries(merged);
    }
    return {
      unitId: node.unitId,
      ...(attributes === undefined ? {} : { attributes }),
      ...(node.children === undefined ? {} : { children: node.children.map(apply) }),
    };
  };
  // Recursion depth is bounded by DOMAIN_LIMITS.treeDepth, as when the tree was built.
  const result = apply(tree);
  const outside = Object.keys(overrides).filter((unitId) => !seen.has(unitId));
  if (outside.length > 0) {
    const unitId = outside[0] as string;
    throw new DomainError(
      DOMAIN_ERROR_CODES.commandInvalid,
      `attributeOverrides.${unitId}: not an active unit of the budget's perimeter`,
      {
        field: `attributeOverrides.${unitId}`,
        reason: "not an active unit of the budget's perimeter",
        unitIds: outside.slice(0, 20),
      },
    );
  }
  return result;
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
