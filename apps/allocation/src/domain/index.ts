// Public surface of the allocation domain: deciders (pure decide/evolve), their types, pure
// queries and the balance fold. The criteria have their own surface in ./criteria.
export * from './shared/domain-error';
export { DOMAIN_LIMITS } from './shared/limits';
export type { Command, CommandMetadata } from './shared/command';
export { AMOUNT_MAX, BASIS_POINTS_FULL } from './shared/values';

export * from './organisation/organisation.types';
export { organisationDecider, decideOrganisation } from './organisation/organisation.decide';
export { evolveOrganisation, initialOrganisationState } from './organisation/organisation.evolve';
export {
  allocationTree,
  ancestry,
  attributesAsOf,
  depthOf,
  isInSubtree,
  subtree,
  type SubtreeNode,
} from './organisation/organisation.queries';

export * from './catalog/catalog.types';
export {
  DEFAULT_USEFULNESS_CLASSES,
  catalogDecider,
  decideCatalog,
  evolveCatalog,
  initialCatalogState,
  resolveUseCase,
} from './catalog/catalog.decide';
export { checkClassRule, type ClassRuleFigures } from './catalog/class-rule';

export * from './budget/budget.types';
export { accountTerms, budgetDecider, decideBudget } from './budget/budget.decide';
export { evolveBudget, initialBudgetState } from './budget/budget.evolve';
export { spendableOf } from './budget/allocate';
export { planReclaim, type ReclaimPart } from './budget/reclaim';
export {
  DEFAULT_TIME_ZONE,
  resolvePeriod,
  type BudgetPeriod,
  type PeriodSpec,
} from './budget/period';

export * from './account/account.types';
export { accountDecider, decideAccount } from './account/account.decide';
export { evolveAccount, initialAccountState } from './account/account.evolve';
export { availableOf } from './account/account.invariants';
export {
  dueReservations,
  reservationStatus,
  type ReservationStatus,
} from './account/account.queries';

export * from './balance/balance';
export {
  budgetStreamId,
  accountStreamId,
  CATALOG_STREAM_ID,
  ORGANISATION_STREAM_ID,
} from './stream-ids';
