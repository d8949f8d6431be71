// Loading the four kinds of streams, each with its snapshot, the same way everywhere (writes in a
// transaction, reads with or without asOf).
import type { AsOf, EventStore, TransactionalEventStore } from '@plafond/ledger';
import {
  accountStreamId,
  budgetStreamId,
  CATALOG_STREAM_ID,
  DEFAULT_USEFULNESS_CLASSES,
  evolveAccount,
  evolveBudget,
  evolveCatalog,
  evolveOrganisation,
  initialAccountState,
  initialBudgetState,
  initialCatalogState,
  initialOrganisationState,
  ORGANISATION_STREAM_ID,
  type AccountState,
  type BudgetState,
  type CatalogEvent,
  type CatalogState,
  type OrganisationState,
} from '../domain';
import { snapshotOf } from './snapshot-codec';

export type StreamSource = Pick<EventStore | TransactionalEventStore, 'aggregateStream'>;

export interface Loaded<State> {
  state: State;
  /** The version to append at (0: the stream does not exist). */
  version: bigint;
}

const SNAPSHOTS = {
  organisation: snapshotOf<OrganisationState>('allocation.organisation.v1'),
  catalog: snapshotOf<CatalogState>('allocation.catalog.v1'),
  budget: snapshotOf<BudgetState>('allocation.budget.v1'),
  account: snapshotOf<AccountState>('allocation.account.v1'),
};

const withAsOf = (asOf: AsOf | undefined) => (asOf === undefined ? {} : { asOf });

export async function loadOrganisation(
  source: StreamSource,
  asOf?: AsOf,
): Promise<Loaded<OrganisationState>> {
  const { state, currentVersion } = await source.aggregateStream(
    ORGANISATION_STREAM_ID,
    evolveOrganisation,
    { initialState: initialOrganisationState, snapshot: SNAPSHOTS.organisation, ...withAsOf(asOf) },
  );
  return { state, version: currentVersion };
}

/** The catalog's seed: DEFAULT_USEFULNESS_CLASSES, written with the first catalog command. */
export const CATALOG_SEED_EVENTS: readonly CatalogEvent[] = DEFAULT_USEFULNESS_CLASSES.map(
  (definition) => ({ type: 'UsefulnessClassDefined', data: { ...definition } }),
);

/** A catalog nobody wrote yet reads as its seed (what the first write will record). */
export const seededCatalogState = (): CatalogState =>
  CATALOG_SEED_EVENTS.reduce(evolveCatalog, initialCatalogState());

export async function loadCatalog(
  source: StreamSource,
  asOf?: AsOf,
): Promise<Loaded<CatalogState>> {
  const { state, currentVersion } = await source.aggregateStream(CATALOG_STREAM_ID, evolveCatalog, {
    initialState: initialCatalogState,
    snapshot: SNAPSHOTS.catalog,
    ...withAsOf(asOf),
  });
  return { state: currentVersion === 0n ? seededCatalogState() : state, version: currentVersion };
}

export async function loadBudget(
  source: StreamSource,
  budgetId: string,
  asOf?: AsOf,
): Promise<Loaded<BudgetState>> {
  const { state, currentVersion } = await source.aggregateStream(
    budgetStreamId(budgetId),
    evolveBudget,
    { initialState: initialBudgetState, snapshot: SNAPSHOTS.budget, ...withAsOf(asOf) },
  );
  return { state, version: currentVersion };
}

export async function loadAccount(
  source: StreamSource,
  budgetId: string,
  unitId: string,
  asOf?: AsOf,
): Promise<Loaded<AccountState>> {
  const { state, currentVersion } = await source.aggregateStream(
    accountStreamId(budgetId, unitId),
    evolveAccount,
    { initialState: initialAccountState, snapshot: SNAPSHOTS.account, ...withAsOf(asOf) },
  );
  return { state, version: currentVersion };
}
