// Factor sets: DEFAULT_FACTOR_SET, then every set published on the `factor-sets` stream, in
// publication order (the order selectFactorSet needs). Publishing a set whose window covers
// recorded usage re-rates that usage in the same transaction: UsageAdjusted events (deltas) on
// the publication's own stream, and the current values in rated_usage; recorded events are never
// rewritten.
//
// Publication and acceptance exclude each other through one advisory lock: publication takes it
// exclusive, every accepted usage shared (before it reads the sets). A usage is therefore either
// committed before the publication reads its window (and is re-rated) or rated by the new set.
import { Inject, Injectable } from '@nestjs/common';
import { validateUsageRecordedV1, type UsageMethod } from '@plafond/contracts';
import {
  ledgerLimits,
  PostgresEventStore,
  type EventToAppend,
  type RecordedEvent,
  type SqlExecutor,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  DEFAULT_FACTOR_SET,
  checkPublication,
  parseFactorSet,
  rerate,
  serialiseFactorSet,
  type ConversionError,
  type FactorSet,
  type FactorSetJson,
  type RatedUsage,
} from '../domain/conversion';
import { CLOCK, type Clock } from './clock';
import type { CommandContext } from './command-context';
import { FACTOR_SET_ERROR, IngestionError } from './errors';
import {
  FACTOR_SETS_STREAM,
  INGESTION_EVENT_TYPES,
  adjustedData,
  adjustedEventId,
  adjustmentStreamId,
  factorSetEventId,
  recordedEventId,
  type FactorSetPublishedData,
  type IngestionEvent,
} from './events';
import { INGESTION_SETTINGS, ingestionSettings, type IngestionSettings } from './settings';
import { q } from './tables';
import { runUnitOfWork } from './unit-of-work';

const LOCK_CLASS = 'plafond.ingestion.factor-sets';
const FAILURES_SHOWN = 50;

export interface FactorSetView {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly effectiveTo?: string;
  readonly description: string;
  /** null for the default set, which is built in rather than published. */
  readonly publishedAt: string | null;
  readonly builtIn: boolean;
}

export interface PublicationResult {
  readonly factorSet: FactorSetView;
  /** Recorded usages re-rated (one UsageAdjusted each). */
  readonly adjusted: number;
  readonly energyDeltaMicroWh: string;
  readonly carbonDeltaMicroGrams: string;
  /** Usages the new set could not convert, left as they were (only with allowRerateFailures). */
  readonly failures: readonly {
    reportedSource: string;
    reportedId: string;
    error: ConversionError;
  }[];
}

interface Published {
  readonly set: FactorSet;
  readonly publishedAt: Date;
}

interface RatedRow {
  source: string;
  event_id: string;
  recorded: unknown;
  energy: string;
  carbon: string;
  method: UsageMethod;
  factor_set_version: string;
}

@Injectable()
export class FactorSetService {
  private readonly settings: IngestionSettings;
  /** Sets read from the stream so far, and the stream version they reach. */
  private cache: { version: bigint; sets: readonly Published[] } = { version: 0n, sets: [] };

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INGESTION_SETTINGS) settings: Partial<IngestionSettings> = {},
  ) {
    this.settings = ingestionSettings(settings);
  }

  /** Takes the publication lock shared: what accepting a usage does before reading the sets. */
  async lockShared(sql: SqlExecutor): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock_shared(hashtext($1), hashtext($2))', [
      LOCK_CLASS,
      this.store.schema,
    ]);
  }

  private async lockExclusive(sql: SqlExecutor): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
      LOCK_CLASS,
      this.store.schema,
    ]);
  }

  /**
   * Every set in force for selection, oldest first: the default, then the published ones. Reads
   * only the events appended since the last call (usually none: one indexed query).
   */
  async catalogue(tx?: TransactionalEventStore): Promise<FactorSet[]> {
    const sets = await this.refresh(tx);
    return [DEFAULT_FACTOR_SET, ...sets.map((entry) => entry.set)];
  }

  async list(): Promise<FactorSetView[]> {
    const sets = await this.refresh();
    return [
      view(DEFAULT_FACTOR_SET, null),
      ...sets.map((entry) => view(entry.set, entry.publishedAt)),
    ];
  }

  async get(version: string): Promise<{ view: FactorSetView; factorSet: FactorSetJson }> {
    if (version === DEFAULT_FACTOR_SET.version)
      return {
        view: view(DEFAULT_FACTOR_SET, null),
        factorSet: serialiseFactorSet(DEFAULT_FACTOR_SET),
      };
    const found = (await this.refresh()).find((entry) => entry.set.version === version);
    if (found === undefined)
      throw new IngestionError(FACTOR_SET_ERROR.notFound, `factor set "${version}" not found`, {
        version,
      });
    return { view: view(found.set, found.publishedAt), factorSet: serialiseFactorSet(found.set) };
  }

  /**
   * Validates and publishes a set (JSON text or value), re-rating the recorded usage of its
   * window in the same transaction. Refused as a whole (nothing written) when the set is
   * invalid, its version exists, the window holds more than rerateMaxEvents usages, or the new
   * set cannot convert some of them (unless allowRerateFailures: those keep their values).
   */
  async publish(
    ctx: CommandContext,
    input: unknown,
    options: { allowRerateFailures?: boolean } = {},
  ): Promise<PublicationResult> {
    const parsed = parseFactorSet(input);
    if (!parsed.ok)
      throw new IngestionError(FACTOR_SET_ERROR.invalid, 'the factor set is invalid', {
        issues: parsed.issues,
      });
    const set = parsed.value;
    return runUnitOfWork(this.store, async (tx) => {
      await this.lockExclusive(tx.sql);
      const published = await this.refresh(tx);
      const catalogue = [DEFAULT_FACTOR_SET, ...published.map((entry) => entry.set)];
      const issues = checkPublication(catalogue, set);
      if (issues.length > 0)
        throw new IngestionError(FACTOR_SET_ERROR.versionExists, issues[0]?.message ?? '', {
          version: set.version,
        });
      const now = this.clock();
      const rows = await this.windowUsage(tx.sql, set);
      const result = rerate({ events: rows.map(ratedUsage), published: catalogue, newSet: set });
      if (result.failures.length > 0 && options.allowRerateFailures !== true)
        throw new IngestionError(
          FACTOR_SET_ERROR.rerateFailed,
          `the new set cannot convert ${result.failures.length} recorded usage(s) of its window`,
          { failures: result.failures.slice(0, FAILURES_SHOWN), count: result.failures.length },
        );
      const metadata = {
        actor: ctx.actor,
        ...(ctx.correlationId === undefined ? {} : { correlationId: ctx.correlationId }),
        ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
        occurredAt: now.toISOString(),
      };
      const publishedEvent: EventToAppend<IngestionEvent> = {
        type: INGESTION_EVENT_TYPES.factorSetPublished,
        data: { factorSet: serialiseFactorSet(set) } satisfies FactorSetPublishedData,
        eventId: factorSetEventId(set.version),
        metadata: { ...metadata, partitionKey: FACTOR_SETS_STREAM },
      };
      await tx.appendToStream(FACTOR_SETS_STREAM, [publishedEvent], {
        expectedVersion: this.cache.version,
      });
      const adjustments = result.adjustments.map((adjustment): EventToAppend<IngestionEvent> => ({
        type: INGESTION_EVENT_TYPES.usageAdjusted,
        data: adjustedData(
          adjustment,
          recordedEventId(adjustment.reportedSource, adjustment.reportedId),
        ),
        eventId: adjustedEventId(set.version, adjustment.reportedSource, adjustment.reportedId),
        metadata: {
          ...metadata,
          partitionKey: adjustment.unitId,
          causationId: factorSetEventId(set.version),
          breakdown: adjustment.breakdown as unknown as Record<string, unknown>,
        },
      }));
      const streamId = adjustmentStreamId(set.version);
      for (let start = 0; start < adjustments.length; start += ledgerLimits.MAX_EVENTS_PER_APPEND) {
        await tx.appendToStream(
          streamId,
          adjustments.slice(start, start + ledgerLimits.MAX_EVENTS_PER_APPEND),
          { expectedVersion: start === 0 ? 'no_stream' : BigInt(start) },
        );
      }
      if (result.adjustments.length > 0)
        await tx.sql.query(
          `UPDATE ${q(this.store.schema, 'rated_usage')} AS t
              SET energy_micro_wh = a.energy, carbon_micro_grams = a.carbon, method = a.method,
                  factor_set_version = $6, updated_at = $7
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
                  AS a(source, event_id, energy, carbon, method)
            WHERE t.source = a.source AND t.event_id = a.event_id`,
          [
            result.adjustments.map((a) => a.reportedSource),
            result.adjustments.map((a) => a.reportedId),
            result.adjustments.map((a) => a.energyMicroWh.toString()),
            result.adjustments.map((a) => a.carbonMicroGrams.toString()),
            result.adjustments.map((a) => a.method),
            set.version,
            now,
          ],
        );
      return {
        factorSet: view(set, now),
        adjusted: result.adjustments.length,
        energyDeltaMicroWh: result.energyDeltaMicroWh.toString(),
        carbonDeltaMicroGrams: result.carbonDeltaMicroGrams.toString(),
        failures: result.failures,
      };
    });
  }

  /** Recorded usage of the set's window, as it stands; refused beyond rerateMaxEvents. */
  private async windowUsage(sql: SqlExecutor, set: FactorSet): Promise<RatedRow[]> {
    const max = this.settings.rerateMaxEvents;
    const rows = await sql.query<RatedRow>(
      `SELECT source, event_id, recorded, energy_micro_wh::text AS energy,
              carbon_micro_grams::text AS carbon, method, factor_set_version
         FROM ${q(this.store.schema, 'rated_usage')}
        WHERE occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
        ORDER BY occurred_at, source, event_id
        LIMIT $3`,
      [set.effectiveFrom, set.effectiveTo ?? null, max + 1],
    );
    if (rows.length > max)
      throw new IngestionError(
        FACTOR_SET_ERROR.rerateTooLarge,
        `the window of "${set.version}" holds more than ${max} recorded usages; publish it as several sets with narrower windows`,
        { version: set.version, limit: max },
      );
    return rows;
  }

  /** Folds the factor-set events appended since the last call into the cache. */
  private async refresh(tx?: TransactionalEventStore): Promise<readonly Published[]> {
    const reader = tx ?? this.store;
    const from = this.cache.version + 1n;
    const events = await reader.readStream<IngestionEvent>(FACTOR_SETS_STREAM, {
      fromVersion: from,
    });
    if (events.length === 0) return this.cache.sets;
    // A concurrent refresh may have moved the cache meanwhile: apply only what follows it.
    const cached = this.cache;
    const fresh = events.filter((event) => event.streamVersion > cached.version);
    if (fresh.length === 0 || fresh[0]?.streamVersion !== cached.version + 1n) return cached.sets;
    const sets = [...cached.sets, ...fresh.map(toPublished)];
    this.cache = { version: fresh[fresh.length - 1]?.streamVersion ?? cached.version, sets };
    return sets;
  }
}

function toPublished(event: RecordedEvent<IngestionEvent>): Published {
  if (event.type !== INGESTION_EVENT_TYPES.factorSetPublished)
    throw new Error(`unexpected ${event.type} on the ${FACTOR_SETS_STREAM} stream`);
  const parsed = parseFactorSet(event.data.factorSet);
  if (!parsed.ok)
    throw new Error(
      `stored factor set at version ${event.streamVersion} no longer parses: ${JSON.stringify(parsed.issues)}`,
    );
  return { set: parsed.value, publishedAt: event.recordedAt };
}

function view(set: FactorSet, publishedAt: Date | null): FactorSetView {
  return {
    version: set.version,
    effectiveFrom: set.effectiveFrom,
    ...(set.effectiveTo === undefined ? {} : { effectiveTo: set.effectiveTo }),
    description: set.description,
    publishedAt: publishedAt === null ? null : publishedAt.toISOString(),
    builtIn: publishedAt === null,
  };
}

function ratedUsage(row: RatedRow): RatedUsage {
  const recorded = validateUsageRecordedV1(row.recorded);
  if (!recorded.ok)
    throw new Error(`rated_usage row ${row.source} ${row.event_id} does not hold a recorded usage`);
  return {
    ...recorded.value,
    energyMicroWh: BigInt(row.energy),
    carbonMicroGrams: BigInt(row.carbon),
    method: row.method,
    factorSetVersion: row.factor_set_version,
  };
}
