import type { Decider } from '@plafond/ledger';
import { unreachable } from '../shared/command';
import { DOMAIN_ERROR_CODES, invariant, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { lookup, withEntry } from '../shared/records';
import { requireId, requireNow, requireText } from '../shared/values';
import { validateClassRule } from './class-rule';
import type {
  CatalogCommand,
  CatalogEvent,
  CatalogState,
  ClassRule,
  ResolvedUseCase,
  UseCaseRecord,
  UsefulnessClass,
} from './catalog.types';

/** The classes a new catalog is seeded with (DefineUsefulnessClass commands); all configurable. */
export const DEFAULT_USEFULNESS_CLASSES: readonly UsefulnessClass[] = [
  { className: 'essential', description: 'Needed to run the business', rule: { kind: 'allowed' } },
  { className: 'standard', description: 'Ordinary productive use', rule: { kind: 'allowed' } },
  {
    className: 'discretionary',
    description: 'Nice to have; shed first under scarcity',
    rule: { kind: 'allowed', shedAboveUtilisationBasisPoints: 8_000 },
  },
];

export const initialCatalogState = (): CatalogState => ({
  classes: {},
  classOrder: [],
  useCases: {},
  useCaseCount: 0,
});

const sameRule = (a: ClassRule, b: ClassRule): boolean => JSON.stringify(a) === JSON.stringify(b);

function requireClass(state: CatalogState, className: string): UsefulnessClass {
  const found = lookup(state.classes, className);
  if (found === undefined)
    refuse(DOMAIN_ERROR_CODES.classNotFound, `usefulness class "${className}" not found`, {
      className,
    });
  return found;
}

function requireUseCase(state: CatalogState, useCase: string): UseCaseRecord {
  const found = lookup(state.useCases, useCase);
  if (found === undefined)
    refuse(DOMAIN_ERROR_CODES.useCaseNotFound, `use case "${useCase}" not found`, { useCase });
  return found;
}

function defineClass(state: CatalogState, data: UsefulnessClass): CatalogEvent[] {
  const className = requireId(data.className, 'className');
  const description = requireText(data.description, 'description', DOMAIN_LIMITS.nameLength);
  const rule = validateClassRule(data.rule);
  const existing = lookup(state.classes, className);
  if (existing !== undefined) {
    if (existing.description === description && sameRule(existing.rule, rule)) return [];
    refuse(DOMAIN_ERROR_CODES.classAlreadyExists, `class "${className}" already exists`, {
      className,
    });
  }
  if (state.classOrder.length >= DOMAIN_LIMITS.usefulnessClasses)
    refuse(DOMAIN_ERROR_CODES.catalogLimitExceeded, 'too many usefulness classes', {
      limit: DOMAIN_LIMITS.usefulnessClasses,
    });
  return [{ type: 'UsefulnessClassDefined', data: { className, description, rule } }];
}

function registerUseCase(
  state: CatalogState,
  data: { useCase: string; className: string; description: string },
): CatalogEvent[] {
  const useCase = requireId(data.useCase, 'useCase');
  const description = requireText(data.description, 'description', DOMAIN_LIMITS.nameLength);
  const { className } = requireClass(state, data.className);
  const existing = lookup(state.useCases, useCase);
  if (existing !== undefined) {
    if (
      !existing.retired &&
      existing.className === className &&
      existing.description === description
    )
      return [];
    refuse(DOMAIN_ERROR_CODES.useCaseAlreadyExists, `use case "${useCase}" already exists`, {
      useCase,
    });
  }
  if (state.useCaseCount >= DOMAIN_LIMITS.useCases)
    refuse(DOMAIN_ERROR_CODES.catalogLimitExceeded, 'too many use cases', {
      limit: DOMAIN_LIMITS.useCases,
    });
  return [{ type: 'UseCaseRegistered', data: { useCase, className, description } }];
}

function reclassifyUseCase(
  state: CatalogState,
  data: { useCase: string; className: string },
): CatalogEvent[] {
  const record = requireUseCase(state, data.useCase);
  if (record.retired)
    refuse(DOMAIN_ERROR_CODES.useCaseRetired, `use case "${record.useCase}" is retired`, {
      useCase: record.useCase,
    });
  const { className } = requireClass(state, data.className);
  if (className === record.className) return [];
  const reclassified = {
    useCase: record.useCase,
    fromClassName: record.className,
    toClassName: className,
  };
  return [{ type: 'UseCaseReclassified', data: reclassified }];
}

export function decideCatalog(command: CatalogCommand, state: CatalogState): CatalogEvent[] {
  requireNow(command.metadata.now);
  switch (command.type) {
    case 'DefineUsefulnessClass':
      return defineClass(state, command.data);
    case 'ChangeClassRule': {
      const existing = requireClass(state, command.data.className);
      const rule = validateClassRule(command.data.rule);
      if (sameRule(existing.rule, rule)) return [];
      return [
        { type: 'UsefulnessClassRuleChanged', data: { className: existing.className, rule } },
      ];
    }
    case 'RegisterUseCase':
      return registerUseCase(state, command.data);
    case 'ReclassifyUseCase':
      return reclassifyUseCase(state, command.data);
    case 'RetireUseCase': {
      const record = requireUseCase(state, command.data.useCase);
      return record.retired ? [] : [{ type: 'UseCaseRetired', data: { useCase: record.useCase } }];
    }
    default:
      return unreachable(command, 'catalog command');
  }
}

function updateUseCase(
  state: CatalogState,
  useCase: string,
  change: Partial<UseCaseRecord>,
): CatalogState {
  const record = lookup(state.useCases, useCase);
  invariant(record !== undefined, 'event names an unknown use case', { useCase });
  return { ...state, useCases: withEntry(state.useCases, useCase, { ...record, ...change }) };
}

export function evolveCatalog(state: CatalogState, event: CatalogEvent): CatalogState {
  switch (event.type) {
    case 'UsefulnessClassDefined':
      return {
        ...state,
        classes: withEntry(state.classes, event.data.className, event.data),
        classOrder: [...state.classOrder, event.data.className],
      };
    case 'UsefulnessClassRuleChanged': {
      const existing = lookup(state.classes, event.data.className);
      invariant(existing !== undefined, 'rule change of an unknown class', {
        className: event.data.className,
      });
      const classes = withEntry(state.classes, existing.className, {
        ...existing,
        rule: event.data.rule,
      });
      return { ...state, classes };
    }
    case 'UseCaseRegistered': {
      const record: UseCaseRecord = { ...event.data, retired: false };
      const useCases = withEntry(state.useCases, record.useCase, record);
      return { ...state, useCases, useCaseCount: state.useCaseCount + 1 };
    }
    case 'UseCaseReclassified':
      return updateUseCase(state, event.data.useCase, { className: event.data.toClassName });
    case 'UseCaseRetired':
      return updateUseCase(state, event.data.useCase, { retired: true });
    default:
      return unreachable(event, 'catalog event');
  }
}

/** The class and rule a reservation of this use case is held to; retired or unknown use cases are refused. */
export function resolveUseCase(state: CatalogState, useCase: string): ResolvedUseCase {
  const record = requireUseCase(state, useCase);
  if (record.retired)
    refuse(DOMAIN_ERROR_CODES.useCaseRetired, `use case "${useCase}" is retired`, { useCase });
  const { className, rule } = requireClass(state, record.className);
  return { useCase, className, rule };
}

export const catalogDecider: Decider<CatalogState, CatalogCommand, CatalogEvent> = {
  decide: decideCatalog,
  evolve: evolveCatalog,
  initialState: initialCatalogState,
};
