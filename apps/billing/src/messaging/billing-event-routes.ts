// Which billing ledger events leave the service, and under which CloudEvents type. The public
// list and the data types are the contract's (@plafond/contracts, billing events v1); the checks
// below make the compiler refuse a ledger event that is neither public nor listed as internal,
// and a public event whose data no longer carries what the contract promises.
import {
  billingEventTypeV1,
  type BillingEventDataV1,
  type BillingEventNameV1,
} from '@plafond/contracts';
import type { RelayRouter } from '@plafond/ledger';
import type { BillingEvent } from '../domain/billing.events';

/**
 * Events that stay in the ledger: `UsageHeldUnpriced` (usage waiting for a price schedule; it
 * becomes a UsageCharged when one is published) and `OverrunNoted` (an overrun waiting for its
 * usage, or under a schedule without tiers; its surcharge, if any, is OverrunSurchargeCharged).
 */
export const INTERNAL_BILLING_EVENT_TYPES = [
  'UsageHeldUnpriced',
  'OverrunNoted',
] as const satisfies readonly BillingEvent['type'][];

type Unclassified = Exclude<
  BillingEvent['type'],
  BillingEventNameV1 | (typeof INTERNAL_BILLING_EVENT_TYPES)[number]
>;
type NotInLedger = Exclude<BillingEventNameV1, BillingEvent['type']>;
type DataBreaksContract = {
  [K in BillingEventNameV1]: Extract<
    BillingEvent,
    { type: K }
  >['data'] extends BillingEventDataV1[K]
    ? never
    : K;
}[BillingEventNameV1];

// Compile-time only: each line fails to type-check, naming the culprit, when the rule breaks.
const everyEventClassified: [Unclassified] extends [never] ? true : Unclassified = true;
const everyPublicEventExists: [NotInLedger] extends [never] ? true : NotInLedger = true;
const everyPublicDataConforms: [DataBreaksContract] extends [never] ? true : DataBreaksContract =
  true;
export const BILLING_CONTRACT_CHECKS =
  everyEventClassified && everyPublicEventExists && everyPublicDataConforms;

/** The relay's router: public events to `topic` under their v1 type, the rest stays inside. */
export function billingEventRouter(topic: string): RelayRouter {
  return (event) => {
    const type = billingEventTypeV1(event.type);
    return type === null ? null : { topic, type };
  };
}
