// Which ledger events leave the service, and under which CloudEvents type. The public list and
// the data types are the contract's (@plafond/contracts, allocation events v1); the checks below
// make the compiler refuse a domain event that is neither public nor listed as internal, and a
// public event whose data no longer carries what the contract promises.
import {
  allocationEventTypeV1,
  type AllocationEventDataV1,
  type AllocationEventNameV1,
} from '@plafond/contracts';
import type { RelayRouter } from '@plafond/ledger';
import type { AccountEvent, BudgetEvent, CatalogEvent, OrganisationEvent } from '../domain';

export type AllocationDomainEvent = OrganisationEvent | CatalogEvent | BudgetEvent | AccountEvent;

/**
 * Events that stay in the ledger. Reservations (`QuotaReserved` and its outcomes) are the hot
 * path — several per unit and minute — and no consumer needs them: billing charges what was
 * debited (UsageDebited, OverrunRecorded), which already includes committed reservations. The
 * others are bookkeeping halves of a public event (`BudgetAllocated` heads the UnitsAllocated
 * parts, the transfer and reclaim halves repeat QuotaTransferred and UnusedQuotaReclaimed).
 */
export const INTERNAL_ALLOCATION_EVENT_TYPES = [
  'AccountOpened',
  'QuotaReserved',
  'ReservationCommitted',
  'ReservationReleased',
  'ReservationExpired',
  'BudgetAllocated',
  'QuotaTransferredOut',
  'QuotaTransferredIn',
  'QuotaReclaimed',
] as const satisfies readonly AllocationDomainEvent['type'][];

type Unclassified = Exclude<
  AllocationDomainEvent['type'],
  AllocationEventNameV1 | (typeof INTERNAL_ALLOCATION_EVENT_TYPES)[number]
>;
type NotInDomain = Exclude<AllocationEventNameV1, AllocationDomainEvent['type']>;
type DataBreaksContract = {
  [K in AllocationEventNameV1]: Extract<
    AllocationDomainEvent,
    { type: K }
  >['data'] extends AllocationEventDataV1[K]
    ? never
    : K;
}[AllocationEventNameV1];

// Compile-time only: each line fails to type-check, naming the culprit, when the rule breaks.
const everyEventClassified: [Unclassified] extends [never] ? true : Unclassified = true;
const everyPublicEventExists: [NotInDomain] extends [never] ? true : NotInDomain = true;
const everyPublicDataConforms: [DataBreaksContract] extends [never] ? true : DataBreaksContract =
  true;
export const ALLOCATION_CONTRACT_CHECKS =
  everyEventClassified && everyPublicEventExists && everyPublicDataConforms;

/** The relay's router: public events to `topic` under their v1 type, the rest stays inside. */
export function allocationEventRouter(topic: string): RelayRouter {
  return (event) => {
    const type = allocationEventTypeV1(event.type);
    return type === null ? null : { topic, type };
  };
}
