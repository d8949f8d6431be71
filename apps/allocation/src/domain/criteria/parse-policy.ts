// Reads a policy back from its JSON form (an event, a request body): integer strings or safe
// JSON numbers become bigints, exactly. Shape only — `validatePolicy` then checks the meaning
// (signs, floors against caps, membership) against the unit's children.
import type { CriteriaResult, PolicyIssue } from './errors';
import { ALLOCATION_ERROR_CODES, failure, success } from './errors';
import type { AllocationPolicy, AllocationRule, Contingency } from './types';
import { describe } from './validation-helpers';

/** Enough digits for any quantity in micro-units; longer strings are refused before BigInt(). */
const MAX_INTEGER_DIGITS = 40;
const INTEGER = /^-?(0|[1-9][0-9]*)$/;

type Json = Record<string, unknown>;

class Reader {
  readonly issues: PolicyIssue[] = [];

  private fail(
    path: string,
    message: string,
    value: unknown,
    reason: PolicyIssue['reason'] = 'NOT_AN_INTEGER',
  ) {
    this.issues.push({ path, reason, message, value: describe(value) });
  }

  object(value: unknown, path: string): Json {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.fail(path, 'must be an object', value, 'EMPTY');
    return {};
  }

  array(value: unknown, path: string, limit: number): unknown[] {
    if (!Array.isArray(value)) {
      this.fail(path, 'must be an array', value, 'EMPTY');
      return [];
    }
    if (value.length > limit) {
      this.fail(path, `must have at most ${limit} items`, value.length, 'TOO_MANY');
      return [];
    }
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'string' && value.length > 0) return value;
    this.fail(path, 'must be a non-empty string', value, 'EMPTY');
    return '';
  }

  integer(value: unknown, path: string): bigint {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && value.length <= MAX_INTEGER_DIGITS + 1 && INTEGER.test(value))
      return BigInt(value);
    this.fail(path, 'must be an integer string or a safe integer', value);
    return 0n;
  }

  optionalInteger(value: unknown, path: string): bigint | undefined {
    return value === undefined ? undefined : this.integer(value, path);
  }

  number(value: unknown, path: string): number {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    this.fail(path, 'must be a safe integer', value);
    return 0;
  }
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;

function readContingency(reader: Reader, json: Json, path: string): Contingency {
  if ('basisPoints' in json)
    return { basisPoints: reader.number(json.basisPoints, `${path}.basisPoints`) };
  return { amount: reader.integer(json.amount, `${path}.amount`) };
}

type Items = (key: string) => { at: string; item: Json }[];

function readTiers(reader: Reader, json: Json, path: string, items: Items): AllocationRule {
  if (json.mode !== 'priority' && json.mode !== 'weighted') {
    reader.issues.push({
      path: `${path}.mode`,
      reason: 'UNKNOWN_RULE',
      message: 'must be priority or weighted',
      value: describe(json.mode),
    });
  }
  return defined({
    kind: 'tiers' as const,
    mode: json.mode === 'weighted' ? ('weighted' as const) : ('priority' as const),
    weightAttribute:
      json.weightAttribute === undefined
        ? undefined
        : reader.string(json.weightAttribute, `${path}.weightAttribute`),
    tiers: items('tiers').map(({ at, item }) =>
      defined({
        tier: reader.string(item.tier, `${at}.tier`),
        multiplier: reader.optionalInteger(item.multiplier, `${at}.multiplier`),
      }),
    ),
    members: items('members').map(({ at, item }) =>
      defined({
        childId: reader.string(item.childId, `${at}.childId`),
        tier: reader.string(item.tier, `${at}.tier`),
        floor: reader.optionalInteger(item.floor, `${at}.floor`),
        cap: reader.optionalInteger(item.cap, `${at}.cap`),
      }),
    ),
  });
}

function readRule(
  reader: Reader,
  json: Json,
  path: string,
  limit: number,
): AllocationRule | undefined {
  const items: Items = (key) =>
    reader.array(json[key], `${path}.${key}`, limit).map((item, index) => {
      const at = `${path}.${key}[${index}]`;
      return { at, item: reader.object(item, at) };
    });
  switch (json.kind) {
    case 'static':
      return {
        kind: 'static',
        members: items('members').map(({ at, item }) => ({
          childId: reader.string(item.childId, `${at}.childId`),
          amount: reader.integer(item.amount, `${at}.amount`),
        })),
      };
    case 'weights':
      return {
        kind: 'weights',
        components: items('components').map(({ at, item }) => ({
          attribute: reader.string(item.attribute, `${at}.attribute`),
          basisPoints: reader.number(item.basisPoints, `${at}.basisPoints`),
        })),
      };
    case 'tiers':
      return readTiers(reader, json, path, items);
    case 'fairShare':
      return {
        kind: 'fairShare',
        members: items('members').map(({ at, item }) =>
          defined({
            childId: reader.string(item.childId, `${at}.childId`),
            demand: reader.integer(item.demand, `${at}.demand`),
            floor: reader.optionalInteger(item.floor, `${at}.floor`),
            cap: reader.optionalInteger(item.cap, `${at}.cap`),
          }),
        ),
      };
    default:
      reader.issues.push({
        path: `${path}.kind`,
        reason: 'UNKNOWN_RULE',
        message: 'must be static, weights, tiers or fairShare',
        value: describe(json.kind),
      });
      return undefined;
  }
}

/**
 * The inverse of `serialisePolicy`: `parsePolicy(serialisePolicy(p))` gives back `p`. An unknown
 * kind or mode is refused, never defaulted. `maxItems` bounds every list before it is read.
 */
export function parsePolicy(
  json: unknown,
  path = 'policy',
  maxItems = 10_000,
): CriteriaResult<AllocationPolicy> {
  const reader = new Reader();
  const root = reader.object(json, path);
  const issuesBefore = reader.issues.length;
  const ruleJson = reader.object(root.rule, `${path}.rule`);
  // Without a rule object there is no kind to report on: one issue is enough.
  const rule =
    reader.issues.length === issuesBefore
      ? readRule(reader, ruleJson, `${path}.rule`, maxItems)
      : undefined;
  const contingency =
    root.contingency === undefined
      ? undefined
      : readContingency(
          reader,
          reader.object(root.contingency, `${path}.contingency`),
          `${path}.contingency`,
        );
  if (reader.issues.length > 0 || rule === undefined) {
    return failure(ALLOCATION_ERROR_CODES.policyInvalid, reader.issues);
  }
  return success(contingency === undefined ? { rule } : { contingency, rule });
}
