// Replay check of the balance projection: digest the live table at its checkpoint, rebuild the
// same fold from position 0 into a fresh schema up to that checkpoint, compare. A difference
// means the live rows were altered or the fold is not deterministic: it fails loudly.
import { verifyProjection, type EventStore, type VerifyProjectionResult } from '@plafond/ledger';
import { unitBalancesProjection } from './unit-balances.projection';

export class ProjectionMismatchError extends Error {
  override readonly name = 'ProjectionMismatchError';
  readonly code = 'READ.PROJECTION_MISMATCH';

  constructor(readonly result: VerifyProjectionResult) {
    super(
      `projection ${unitBalancesProjection.name} differs from its rebuild at checkpoint ` +
        `${result.rebuilt.checkpoint.transactionId}/${result.rebuilt.checkpoint.globalPosition}: ` +
        `live ${result.live.digest} (${JSON.stringify(result.live.rowCounts)}), rebuilt ` +
        `${result.rebuilt.digest.digest} (${JSON.stringify(result.rebuilt.digest.rowCounts)})`,
    );
  }
}

export interface VerifyUnitBalancesOptions {
  store: EventStore;
  /** Ledger schema holding the subscription checkpoint. */
  ledgerSchema: string;
  /** Schema of the live unit_balances table. */
  readModelSchema: string;
  /** Fresh schema to rebuild into (must not exist); dropped afterwards unless `keep`. */
  intoSchema: string;
  keep?: boolean;
  batchSize?: number;
}

/** Returns the comparison when the digests are equal; throws ProjectionMismatchError otherwise. */
export async function verifyUnitBalances(
  options: VerifyUnitBalancesOptions,
): Promise<VerifyProjectionResult> {
  const result = await verifyProjection(unitBalancesProjection, {
    store: options.store,
    liveSchema: options.readModelSchema,
    subscription: { schema: options.ledgerSchema, name: unitBalancesProjection.name },
    intoSchema: options.intoSchema,
    dropAfterDigest: options.keep !== true,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  });
  if (!result.matches) throw new ProjectionMismatchError(result);
  return result;
}
