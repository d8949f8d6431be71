// Refused reservations, counted for the scarcity view: an aggregate read model beside the ledger,
// never in it. A refused reserve appends nothing (its id may be sent again), so the refusals are
// counted in memory by (budget, unit, reason, usefulness class, minute) and flushed on an
// interval with one upsert per key. The hot path only adds to a map: it never waits for the
// database, and when the database is away for long the buffer stays bounded (new keys are
// dropped, counted and logged; keys already buffered keep counting).
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PostgresEventStore } from '@plafond/ledger';
import { JsonLogger } from '@plafond/platform';
import { AllocationConfig } from '../config';
import { DOMAIN_ERROR_CODES, isDomainError, type CatalogState } from '../domain';
import { IntervalLoop } from './interval-loop';
import { checkPositiveIntegers } from './reservation-settings';

/**
 * The refusals counted: every code the account refuses a new reservation with once its budget and
 * unit are known, for a reason of quota or policy. Not counted: malformed requests, unknown use
 * cases or accounts, idempotency conflicts, RESERVATION.BUSY (this instance, not the budget).
 */
export const COUNTED_REFUSAL_CODES: readonly string[] = [
  DOMAIN_ERROR_CODES.quotaExceeded,
  DOMAIN_ERROR_CODES.unitBlocked,
  DOMAIN_ERROR_CODES.useCaseProhibited,
  DOMAIN_ERROR_CODES.classCapExceeded,
  DOMAIN_ERROR_CODES.shedAboveUtilisation,
  DOMAIN_ERROR_CODES.periodClosed,
  DOMAIN_ERROR_CODES.tooManyPending,
];

export const REFUSALS_TABLE = 'reservation_refusals';

export interface RefusalRecord {
  budgetId: string;
  unitId: string;
  /** The refusal's code (one of COUNTED_REFUSAL_CODES). */
  reason: string;
  usefulnessClass: string;
  requested: bigint;
  at: Date;
}

export interface RefusalSettings {
  /** Pause between flushes (RESERVATION_REFUSALS_FLUSH_MS, default 1000). */
  flushIntervalMs: number;
  /** Keys buffered at most; beyond, new keys are dropped and counted (default 10 000). */
  maxKeys: number;
  /** Run the flush loop from application bootstrap (default true; tests call flush()). */
  autoStart: boolean;
}

export const REFUSAL_SETTINGS = Symbol('plafond.allocation.REFUSAL_SETTINGS');

export const DEFAULT_REFUSAL_SETTINGS: RefusalSettings = {
  flushIntervalMs: 1_000,
  maxKeys: 10_000,
  autoStart: true,
};

/** Keys written by one statement at most. */
const KEYS_PER_STATEMENT = 1_000;
const MINUTE_MS = 60_000;

export interface RefusalBufferStatus {
  /** Keys waiting for the next flush. */
  pendingKeys: number;
  /** Refusals lost since start because the buffer was full (the database away for long). */
  dropped: number;
  lastFlushAt: string | null;
  lastError: string | null;
}

interface Entry {
  budgetId: string;
  unitId: string;
  reason: string;
  usefulnessClass: string;
  minuteMs: number;
  count: number;
  requested: bigint;
  lastMs: number;
}

export function refusalTableStatements(schema: string): string[] {
  const table = `"${schema}".${REFUSALS_TABLE}`;
  return [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    `CREATE TABLE IF NOT EXISTS ${table} (
      budget_id text COLLATE "C" NOT NULL,
      minute timestamptz NOT NULL,
      unit_id text COLLATE "C" NOT NULL,
      reason text COLLATE "C" NOT NULL,
      usefulness_class text COLLATE "C" NOT NULL,
      count bigint NOT NULL CHECK (count > 0),
      requested numeric(38,0) NOT NULL CHECK (requested >= 0),
      last_refused_at timestamptz(3) NOT NULL,
      PRIMARY KEY (budget_id, minute, unit_id, reason, usefulness_class)
    )`,
  ];
}

export function refusalTableDownStatements(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${schema}".${REFUSALS_TABLE}`];
}

/**
 * The refusal to count for a reserve that failed with `error`, or undefined when it is not one of
 * COUNTED_REFUSAL_CODES. The class is the one the rule named, else the use case's in the catalog.
 */
export function refusalOf(
  error: unknown,
  request: { unitId: string; amount: bigint; useCase: string },
  budgetId: string,
  catalog: CatalogState | undefined,
  at: Date,
): RefusalRecord | undefined {
  if (!isDomainError(error) || !COUNTED_REFUSAL_CODES.includes(error.code)) return undefined;
  const named = error.details.className;
  const fromCatalog =
    catalog !== undefined && Object.hasOwn(catalog.useCases, request.useCase)
      ? catalog.useCases[request.useCase]?.className
      : undefined;
  return {
    budgetId,
    unitId: request.unitId,
    reason: error.code,
    usefulnessClass: typeof named === 'string' ? named : (fromCatalog ?? 'unknown'),
    requested: request.amount,
    at,
  };
}

@Injectable()
export class ReservationRefusals implements OnApplicationBootstrap, OnModuleDestroy {
  readonly settings: RefusalSettings;
  private buffer = new Map<string, Entry>();
  private dropped = 0;
  private lastFlushAt: Date | null = null;
  private lastError: string | null = null;
  private readonly loop: IntervalLoop;
  private flushing: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly store: PostgresEventStore,
    @Optional() private readonly logger?: JsonLogger,
    @Optional() config?: AllocationConfig,
    @Optional() @Inject(REFUSAL_SETTINGS) overrides?: Partial<RefusalSettings>,
  ) {
    this.settings = checkPositiveIntegers('refusal', {
      ...DEFAULT_REFUSAL_SETTINGS,
      ...(config === undefined ? {} : { flushIntervalMs: config.reservationRefusalsFlushMs }),
      ...overrides,
    });
    this.loop = new IntervalLoop(this.settings.flushIntervalMs, () =>
      this.flush().catch((error: unknown) =>
        this.logFailure('refused reservations not written; retrying at the next flush', error),
      ),
    );
  }

  /** Counts one refusal; never throws, never waits. */
  record(refusal: RefusalRecord): void {
    const atMs = refusal.at.getTime();
    const minuteMs = atMs - (((atMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    const key = JSON.stringify([
      refusal.budgetId,
      refusal.unitId,
      refusal.reason,
      refusal.usefulnessClass,
      minuteMs,
    ]);
    const entry = this.buffer.get(key);
    if (entry !== undefined) {
      entry.count += 1;
      entry.requested += refusal.requested;
      entry.lastMs = Math.max(entry.lastMs, atMs);
      return;
    }
    if (this.buffer.size >= this.settings.maxKeys) {
      this.drop(1);
      return;
    }
    this.buffer.set(key, {
      budgetId: refusal.budgetId,
      unitId: refusal.unitId,
      reason: refusal.reason,
      usefulnessClass: refusal.usefulnessClass,
      minuteMs,
      count: 1,
      requested: refusal.requested,
      lastMs: atMs,
    });
  }

  status(): RefusalBufferStatus {
    return {
      pendingKeys: this.buffer.size,
      dropped: this.dropped,
      lastFlushAt: this.lastFlushAt?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }

  /**
   * Writes what is buffered (one upsert per key) and returns how many keys it wrote. On failure
   * the entries go back into the buffer (merged with what arrived since, within maxKeys) and the
   * error is thrown. Flushes run one after the other.
   */
  flush(): Promise<number> {
    const next = this.flushing.catch(() => 0).then(() => this.flushOnce());
    this.flushing = next;
    return next;
  }

  onApplicationBootstrap(): void {
    if (this.settings.autoStart) this.start();
  }

  /** Stops the loop and writes what is left (before the DataSource closes). */
  async onModuleDestroy(): Promise<void> {
    await this.stop();
    try {
      await this.flush();
    } catch (error) {
      this.logFailure('refused reservations could not be written at shutdown', error);
    }
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.flushing.catch(() => undefined);
  }

  private async flushOnce(): Promise<number> {
    if (this.buffer.size === 0) return 0;
    const entries = [...this.buffer.values()];
    this.buffer = new Map();
    let written = 0;
    try {
      for (let start = 0; start < entries.length; start += KEYS_PER_STATEMENT) {
        await this.upsert(entries.slice(start, start + KEYS_PER_STATEMENT));
        written += Math.min(KEYS_PER_STATEMENT, entries.length - start);
      }
    } catch (error) {
      this.restore(entries.slice(written));
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
    this.lastFlushAt = new Date();
    this.lastError = null;
    return written;
  }

  private async upsert(entries: readonly Entry[]): Promise<void> {
    const table = `"${this.store.schema}".${REFUSALS_TABLE}`;
    await this.store.sql.query(
      `INSERT INTO ${table} AS r
         (budget_id, minute, unit_id, reason, usefulness_class, count, requested, last_refused_at)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                            $6::bigint[], $7::numeric[], $8::timestamptz[])
       ON CONFLICT (budget_id, minute, unit_id, reason, usefulness_class) DO UPDATE
         SET count = r.count + EXCLUDED.count,
             requested = r.requested + EXCLUDED.requested,
             last_refused_at = GREATEST(r.last_refused_at, EXCLUDED.last_refused_at)`,
      [
        entries.map((entry) => entry.budgetId),
        entries.map((entry) => new Date(entry.minuteMs).toISOString()),
        entries.map((entry) => entry.unitId),
        entries.map((entry) => entry.reason),
        entries.map((entry) => entry.usefulnessClass),
        entries.map((entry) => String(entry.count)),
        entries.map((entry) => entry.requested.toString()),
        entries.map((entry) => new Date(entry.lastMs).toISOString()),
      ],
    );
  }

  /** Puts unwritten entries back, merged with what arrived meanwhile, within maxKeys. */
  private restore(entries: readonly Entry[]): void {
    for (const entry of entries) {
      const key = JSON.stringify([
        entry.budgetId,
        entry.unitId,
        entry.reason,
        entry.usefulnessClass,
        entry.minuteMs,
      ]);
      const current = this.buffer.get(key);
      if (current !== undefined) {
        current.count += entry.count;
        current.requested += entry.requested;
        current.lastMs = Math.max(current.lastMs, entry.lastMs);
      } else if (this.buffer.size < this.settings.maxKeys) this.buffer.set(key, { ...entry });
      else this.drop(entry.count);
    }
  }

  private drop(count: number): void {
    const first = this.dropped === 0;
    this.dropped += count;
    // Logged on the first drop and then every 1000, so a long outage does not flood the log.
    if (first || Math.floor((this.dropped - count) / 1000) !== Math.floor(this.dropped / 1000))
      this.logger?.write(
        'warn',
        'refused-reservation buffer full; refusals dropped from the scarcity counts',
        { dropped: this.dropped, maxKeys: this.settings.maxKeys },
        'ReservationRefusals',
      );
  }

  private logFailure(message: string, error: unknown): void {
    this.logger?.write(
      'warn',
      message,
      {
        pendingKeys: this.buffer.size,
        err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      },
      'ReservationRefusals',
    );
  }
}
