// org.plafond.usage.rejected.v1: usage that ingestion refused, on plafond.usage.rejected.v1,
// with the item as received and every reason, so that nothing is dropped silently.
import type { ContractIssue } from '../validation/issue';

export const USAGE_REJECTED_V1_TYPE = 'org.plafond.usage.rejected.v1';

/** data of a usage.rejected v1 CloudEvent. */
export interface UsageRejectedV1Json {
  /** How the item arrived. */
  channel: 'http' | 'kafka';
  /** The integrator whose key or source sent it (`kafka:unknown` when the source is unknown). */
  integratorId: string;
  /** The reported CloudEvent's `source` and `id`, when they could be read. */
  source?: string;
  id?: string;
  unitId?: string;
  /** The item as received: its JSON text, or base64 of bytes that are not a readable event. */
  payload: string;
  payloadEncoding: 'json' | 'base64';
  /** True when the payload was cut (512 KiB characters). */
  payloadTruncated?: boolean;
  /** Every reason, `{ code, message, path }` (path relative to the item). */
  reasons: readonly ContractIssue[];
}
