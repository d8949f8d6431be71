// Which ingestion ledger events leave the service, where, and under which CloudEvents type.
// The ledger data of each published type is the contract's JSON exactly (see ../application/events.ts).
import {
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  USAGE_REJECTED_V1_TYPE,
  type UsageAdjustedV1Json,
  type UsageRecordedV1Json,
  type UsageRejectedV1Json,
} from '@plafond/contracts';
import type { RelayRouter } from '@plafond/ledger';
import {
  INGESTION_EVENT_TYPES,
  type IngestionEvent,
  type UsageAdjustedData,
  type UsageRejectedData,
} from '../application';

export interface IngestionTopics {
  usageRecorded: string;
  usageRejected: string;
}

type Routed = Exclude<IngestionEvent['type'], 'FactorSetPublished'>;

// Compile-time: the ledger data must be assignable to the published contract.
type Conforms<A, B> = A extends B ? true : false;
export const INGESTION_CONTRACT_CHECKS: [
  Conforms<Extract<IngestionEvent, { type: 'UsageRecorded' }>['data'], UsageRecordedV1Json>,
  Conforms<UsageRejectedData, Readonly<UsageRejectedV1Json>>,
  Conforms<UsageAdjustedData, UsageAdjustedV1Json>,
] = [true, true, true];

/**
 * UsageRecorded and UsageAdjusted → usage.recorded topic (keyed by unit, so a unit's usage and
 * its corrections stay in order); UsageRejected → rejected topic; FactorSetPublished stays inside.
 */
export function ingestionEventRouter(topics: IngestionTopics): RelayRouter {
  const routes: Record<Routed, { topic: string; type: string }> = {
    [INGESTION_EVENT_TYPES.usageRecorded]: {
      topic: topics.usageRecorded,
      type: USAGE_RECORDED_V1_TYPE,
    },
    [INGESTION_EVENT_TYPES.usageAdjusted]: {
      topic: topics.usageRecorded,
      type: USAGE_ADJUSTED_V1_TYPE,
    },
    [INGESTION_EVENT_TYPES.usageRejected]: {
      topic: topics.usageRejected,
      type: USAGE_REJECTED_V1_TYPE,
    },
  };
  return (event) => (Object.hasOwn(routes, event.type) ? routes[event.type as Routed] : null);
}
