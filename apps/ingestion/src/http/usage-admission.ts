// Admission of usage batches before any work: the items of the batches this process is working on
// are counted, and a batch that would take the count past the bound is refused at once — 503
// INGEST.BUSY with Retry-After — before a single item is read, validated or written. So an
// overloaded instance answers quickly with nothing recorded (the client resends the same batch
// later), instead of letting parsed batches, pool waits and latency pile up in memory.
import { PlafondError } from '@plafond/platform';

export const INGEST_BUSY = 'INGEST.BUSY';

/** Seconds a refused client should wait before sending the batch again. */
export const INGEST_BUSY_RETRY_AFTER_SECONDS = 1;

export class UsageAdmission {
  private inFlight = 0;

  constructor(private readonly maxItemsInFlight: number) {
    if (!Number.isSafeInteger(maxItemsInFlight) || maxItemsInFlight < 1)
      throw new Error(`maxItemsInFlight must be a positive integer, got ${maxItemsInFlight}`);
  }

  /** Items of admitted batches not answered yet. */
  get itemsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Runs `work` for a batch of `items` items if it fits, else throws INGEST.BUSY without calling
   * it. A batch alone is always admitted, however large (its size is bounded by
   * INGEST_MAX_BATCH_ITEMS), so a bound below the batch size cannot lock a client out.
   */
  async run<T>(items: number, work: () => Promise<T>): Promise<T> {
    if (this.inFlight > 0 && this.inFlight + items > this.maxItemsInFlight)
      throw new PlafondError(
        INGEST_BUSY,
        'Ingestion is busy: too many usage items in progress on this instance. Nothing of this ' +
          'batch was recorded; send the same batch again shortly (same ids).',
        { itemsInFlight: this.inFlight, items, limit: this.maxItemsInFlight },
        503,
      );
    this.inFlight += items;
    try {
      return await work();
    } finally {
      this.inFlight -= items;
    }
  }
}
