// Why-this-allocation and what-if helpers: compare a preview with the committed round,
// check explanations, edit policies immutably, build attributeOverrides (contracts B).
import type { AllocatedUnit, Explanation } from '../api/types';
import { toBig } from './format';

export interface ComparedUnit {
  unitId: string;
  parentId: string | null;
  depth: number;
  current: string | null;
  preview: string | null;
  delta: bigint;
}

/** Per unit (preview order, then units only in the current round): current vs preview. */
export function compareAllocations(
  current: readonly AllocatedUnit[],
  preview: readonly AllocatedUnit[],
): ComparedUnit[] {
  const before = new Map(current.map((unit) => [unit.unitId, unit]));
  const rows: ComparedUnit[] = preview.map((unit) => {
    const old = before.get(unit.unitId);
    return {
      unitId: unit.unitId,
      parentId: unit.parentId,
      depth: unit.depth,
      current: old?.amount ?? null,
      preview: unit.amount,
      delta: toBig(unit.amount) - toBig(old?.amount ?? '0'),
    };
  });
  const seen = new Set(preview.map((unit) => unit.unitId));
  for (const unit of current) {
    if (seen.has(unit.unitId)) continue;
    rows.push({
      unitId: unit.unitId,
      parentId: unit.parentId,
      depth: unit.depth,
      current: unit.amount,
      preview: null,
      delta: -toBig(unit.amount),
    });
  }
  return rows;
}

/** Σ of an explanation's contributions (they must equal the unit's amount). */
export function contributionsTotal(explanation: Explanation | null | undefined): bigint {
  if (!explanation) return 0n;
  let total = 0n;
  for (const contribution of explanation.contributions) total += toBig(contribution.amount);
  return total;
}

/** `boundBy` as a word: floor, cap, demand, or null. */
export function boundByKind(boundBy: Explanation['boundBy'] | undefined): string | null {
  if (boundBy === null || boundBy === undefined) return null;
  if (typeof boundBy === 'string') return boundBy;
  return typeof boundBy.kind === 'string' ? boundBy.kind : JSON.stringify(boundBy);
}

export function describeBoundBy(kind: string | null): string {
  switch (kind) {
    case null:
      return 'No floor, cap or demand bound this amount: it is the criterion’s share.';
    case 'floor':
      return 'Its floor set the amount (the criterion alone would have given less).';
    case 'cap':
      return 'Its cap bound the amount (the criterion would have given more).';
    case 'demand':
      return 'Its declared demand bound the amount: it got all it asked for.';
    default:
      return `Bound by ${kind}.`;
  }
}

/** Children of `parentId` in a round, in round order. */
export function childrenOf(units: readonly AllocatedUnit[], parentId: string): AllocatedUnit[] {
  return units.filter((unit) => unit.parentId === parentId);
}

/**
 * The attribute weights the round used, read back from its explanations: unitId → attribute →
 * weight. `weight` contributions name their attribute; `tier` contributions carry the parent's
 * `weightAttribute` value (× the tier's multiplier in weighted mode, divided back out here when
 * it divides exactly).
 */
export function weightsUsed(
  units: readonly AllocatedUnit[],
  policies: Readonly<Record<string, unknown>> = {},
): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  const put = (unitId: string, attribute: string, weight: string) => {
    const own = result.get(unitId) ?? new Map<string, string>();
    own.set(attribute, weight);
    result.set(unitId, own);
  };
  for (const unit of units) {
    for (const contribution of unit.explanation?.contributions ?? []) {
      const weight = contribution.weight;
      if (typeof weight !== 'string' || !/^\d+$/.test(weight)) continue;
      if (typeof contribution.attribute === 'string') {
        put(unit.unitId, contribution.attribute, weight);
        continue;
      }
      if (contribution.criterion !== 'tier' || unit.parentId === null) continue;
      const rule = getIn(policies, [unit.parentId, 'rule']) as Record<string, unknown> | undefined;
      if (typeof rule?.weightAttribute !== 'string') continue;
      let multiplier = 1n;
      if (rule.mode === 'weighted' && Array.isArray(rule.tiers)) {
        const tier = (rule.tiers as { tier?: unknown; multiplier?: unknown }[]).find(
          (candidate) => candidate.tier === contribution.tier,
        );
        const raw = tier?.multiplier;
        if (typeof raw === 'string' || typeof raw === 'number') {
          if (!/^\d+$/.test(String(raw))) continue;
          multiplier = BigInt(raw);
        }
      }
      if (multiplier === 0n || BigInt(weight) % multiplier !== 0n) continue;
      put(unit.unitId, rule.weightAttribute, (BigInt(weight) / multiplier).toString());
    }
  }
  return result;
}

/** Tier policies name their weight attribute without `weight` contributions per attribute. */
export function attributesUsed(policies: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const policy of Object.values(policies)) {
    const rule = (policy as { rule?: Record<string, unknown> } | null)?.rule;
    if (!rule) continue;
    if (typeof rule.weightAttribute === 'string') names.add(rule.weightAttribute);
    if (Array.isArray(rule.components)) {
      for (const component of rule.components as { attribute?: unknown }[]) {
        if (typeof component.attribute === 'string') names.add(component.attribute);
      }
    }
  }
  return [...names].sort();
}

type Path = readonly (string | number)[];

/** A copy of `value` with `path` set to `next` (`undefined` removes the key). */
export function setIn<T>(value: T, path: Path, next: unknown): T {
  if (path.length === 0) return next as T;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const array = Array.isArray(value) ? [...(value as unknown[])] : [];
    array[head] = setIn(array[head], rest, next);
    return array as T;
  }
  const record: Record<string, unknown> =
    value && typeof value === 'object' && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {};
  const child = setIn(record[head as string], rest, next);
  if (child === undefined) delete record[head as string];
  else record[head as string] = child;
  return record as T;
}

export function getIn(value: unknown, path: Path): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export type AttributeOverrides = Record<string, Record<string, string>>;

/**
 * Only the weights the user changed: unitId → attribute → new weight (trimmed); an edit equal
 * to the round's weight, or empty, is no override.
 */
export function attributeOverrides(
  edits: Readonly<Record<string, Readonly<Record<string, string>>>>,
  used: ReadonlyMap<string, ReadonlyMap<string, string>>,
): AttributeOverrides {
  const result: AttributeOverrides = {};
  for (const [unitId, attributes] of Object.entries(edits)) {
    for (const [attribute, raw] of Object.entries(attributes)) {
      const value = raw.trim();
      if (value === '' || used.get(unitId)?.get(attribute) === value) continue;
      (result[unitId] ??= {})[attribute] = value;
    }
  }
  return result;
}
