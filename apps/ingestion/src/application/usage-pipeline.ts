// The usage pipeline shared by the HTTP batch endpoint and the raw-topic consumer. Per item:
//   read (CloudEvent or plain JSON) → validate (contracts) → caller's source and unit scope →
//   already recorded? (duplicate / INGEST.DUPLICATE_CONFLICT) → occurredAt within lateness and
//   skew → unit and use case known → [transaction: factor sets → convert → dedup row →
//   UsageRecorded → rated_usage row] → accepted.
// Every rejected item is appended as UsageRejected (original payload, every reason), which the
// relay publishes to the rejected topic; a rejected item changes nothing else.
//
// Items run in `itemConcurrency` lanes; items with the same (source, id) share a lane and run in
// batch order, so within a batch the first occurrence is the accepted one and the later ones
// duplicates. A lane decides and records up to `itemsPerTransaction` items in one transaction
// (one commit for many: the commit was most of an item's cost); if that transaction fails, its
// items are taken again one by one, each in its own transactions, so an item's failure (or a
// lost race) never undoes its neighbours' outcomes. Every answer is given after its commit.
// Units and use cases are looked up once per batch, before any transaction (a lookup inside one
// would hold a pooled connection while waiting for a second).
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  USAGE_REPORTED_V1_TYPE,
  CloudEventValidationError,
  serializeUsageRecordedV1,
  serializeUsageReportedV1,
  validateCloudEvent,
  validateUsageReportedV1,
  type CloudEvent,
  type ContractIssue,
  type UsageRecordedV1,
  type UsageReportedV1,
} from '@plafond/contracts';
import {
  canonicalJson,
  PostgresEventStore,
  type EventMetadata,
  type EventToAppend,
  type TransactionalEventStore,
} from '@plafond/ledger';
import { convert, selectFactorSet, type FactorSet } from '../domain/conversion';
import { CLOCK, type Clock } from './clock';
import { INGEST_ERROR } from './errors';
import {
  INGESTION_EVENT_TYPES,
  recordedEventId,
  usageStreamId,
  type IngestionChannel,
  type IngestionEvent,
  type UsageRejectedData,
} from './events';
import { FactorSetService } from './factor-set.service';
import { runLanes } from './lanes';
import { INGESTION_SETTINGS, ingestionSettings, type IngestionSettings } from './settings';
import { q } from './tables';
import { UNIT_DIRECTORY, type UnitDirectory, type UnitLookup } from './unit-directory';
import { runUnitOfWork } from './unit-of-work';

/**
 * One item of a batch.
 * - `cloudevent`: a CloudEvent in the JSON format's shape (an element of a cloudevents-batch
 *   body, or a decoded Kafka record) of type org.plafond.usage.reported.v1.
 * - `json`: a plain usage object: the reported fields (OpenTelemetry aliases included) plus
 *   `id` (required) and `source` (optional: defaults to the caller's allowed source).
 * - `unreadable`: what an edge could not even read (bad JSON, bad Kafka headers), with its
 *   issues; recorded as rejected like any other refusal. Bytes go as base64.
 */
export type IncomingUsage =
  | { readonly format: 'cloudevent'; readonly event: unknown }
  | { readonly format: 'json'; readonly item: unknown }
  | {
      readonly format: 'unreadable';
      readonly payload: unknown;
      readonly issues: readonly ContractIssue[];
    };

export interface IngestionCaller {
  readonly integratorId: string;
  /** The only CloudEvents `source` the caller may write; null = any. */
  readonly allowedSource: string | null;
  /** Units the caller may report for; null = any. */
  readonly allowedUnits: readonly string[] | null;
}

export interface ItemError {
  readonly code: string;
  readonly message: string;
  /** Within the item: `data.inputTokens`, `id`, `` for the item itself. */
  readonly path: string;
}

export interface ItemResult {
  readonly index: number;
  readonly status: 'accepted' | 'duplicate' | 'rejected';
  readonly id?: string;
  readonly source?: string;
  /** rejected: the first reason. */
  readonly error?: ItemError;
  /** rejected: every reason (validation reports all problems at once). */
  readonly issues?: readonly ItemError[];
  /** accepted and duplicate: the ledger id of the UsageRecorded event (the published CloudEvent id). */
  readonly recordedEventId?: string;
}

export interface IngestOptions {
  /**
   * A key that names this delivery of the items for good (the raw consumer's inbox key): each
   * rejection's stream and event id derive from it and the item's index, so running the same
   * delivery again (a crash between the pipeline's transaction and the inbox's) writes no second
   * UsageRejected. Without it (HTTP), every rejection is a new stream.
   */
  readonly rejectionKey?: string;
}

/** UTF-8 bytes of the payload as stored (escaped inside the event's JSON); the ledger holds 1 MiB. */
const PAYLOAD_MAX_BYTES = 512 * 1024;

interface ReadItem {
  readonly source: string;
  readonly id: string;
  readonly usage: UsageReportedV1;
  /** `data.` for CloudEvents, `` for plain items: where the usage's fields are. */
  readonly dataPath: string;
}

type Outcome =
  | { status: 'accepted' | 'duplicate'; recordedEventId: string }
  | { status: 'rejected'; reasons: ItemError[] };

const reject = (code: string, message: string, path = ''): Outcome => ({
  status: 'rejected',
  reasons: [{ code, message, path }],
});

@Injectable()
export class UsagePipeline {
  private readonly settings: IngestionSettings;
  /** Per transaction (keyed by its object: a retried attempt starts afresh), see factorSetsWithin. */
  private readonly factorSetsByTransaction = new WeakMap<
    TransactionalEventStore,
    Promise<FactorSet[]>
  >();

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(FactorSetService) private readonly factorSets: FactorSetService,
    @Inject(UNIT_DIRECTORY) private readonly directory: UnitDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INGESTION_SETTINGS) settings: Partial<IngestionSettings> = {},
  ) {
    this.settings = ingestionSettings(settings);
  }

  /** Every item's outcome, in input order. Throws only if the database fails. */
  async ingest(
    items: readonly IncomingUsage[],
    caller: IngestionCaller,
    channel: IngestionChannel,
    options: IngestOptions = {},
  ): Promise<ItemResult[]> {
    const lanes = Math.max(1, Math.min(this.settings.itemConcurrency, items.length));
    const prepared = items.map((item) => readItem(item, caller));
    const byLane: number[][] = Array.from({ length: lanes }, () => []);
    prepared.forEach((read, index) => {
      const key = read.ok ? `${read.value.source}\u0000${read.value.id}` : String(index);
      byLane[laneOf(key, lanes)]?.push(index);
    });
    const known = await this.lookUpAll(prepared, lanes);
    const results: ItemResult[] = new Array<ItemResult>(items.length);
    const perTransaction = this.settings.itemsPerTransaction;
    // A lane that fails (the database) stops the others before their next chunk, and the error
    // comes once none is still writing: what the batch committed is then final (lanes.ts).
    await runLanes(byLane, async (indexes, stopped) => {
      for (let start = 0; start < indexes.length && !stopped(); start += perTransaction) {
        const chunk = indexes.slice(start, start + perTransaction);
        const outcomes = await this.decideChunk(
          chunk.map((index) => prepared[index] as ReadResult),
          caller,
          channel,
          known,
        );
        for (const [position, index] of chunk.entries()) {
          const item = items[index] as IncomingUsage;
          const read = prepared[index] as ReadResult;
          const rejectionKey =
            options.rejectionKey === undefined ? undefined : `${options.rejectionKey}#${index}`;
          results[index] = await this.finish(
            index,
            item,
            read,
            outcomes[position] as Outcome,
            caller,
            channel,
            rejectionKey,
          );
        }
      }
    });
    return results;
  }

  /** Whether each (unit, use case) of the readable items is known, looked up once per pair. */
  private async lookUpAll(
    prepared: readonly ReadResult[],
    concurrency: number,
  ): Promise<Map<string, UnitLookup>> {
    const pairs = new Map<string, { unitId: string; useCase: string }>();
    for (const read of prepared) {
      if (!read.ok) continue;
      const { unitId, useCase } = read.value.usage;
      pairs.set(lookupKey(unitId, useCase), { unitId, useCase });
    }
    const known = new Map<string, UnitLookup>();
    const queue = [...pairs];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const [key, { unitId, useCase }] = next;
          known.set(key, await this.directory.lookup(unitId, useCase));
        }
      }),
    );
    return known;
  }

  /**
   * The outcomes of a lane's chunk, in order: what needs no database is decided first; the rest
   * in one transaction when there are several, else (or if it fails) one by one as `decide`.
   */
  private async decideChunk(
    reads: readonly ReadResult[],
    caller: IngestionCaller,
    channel: IngestionChannel,
    known: ReadonlyMap<string, UnitLookup>,
  ): Promise<Outcome[]> {
    const outcomes: (Outcome | undefined)[] = reads.map((read) =>
      read.ok ? checkCaller(read.value, caller) : { status: 'rejected', reasons: read.issues },
    );
    const pending = reads.flatMap((read, position) =>
      read.ok && outcomes[position] === undefined ? [{ read: read.value, position }] : [],
    );
    if (pending.length > 1) {
      const together = await runUnitOfWork(this.store, async (tx) => {
        const decided: Outcome[] = [];
        for (const { read } of pending)
          decided.push(await this.decideWithin(tx, read, caller, channel, known));
        return decided;
      }).catch(() => null);
      if (together !== null) {
        pending.forEach(({ position }, k) => (outcomes[position] = together[k]));
        return outcomes as Outcome[];
      }
    }
    for (const { read, position } of pending)
      outcomes[position] = await this.decide(read, caller, channel);
    return outcomes as Outcome[];
  }

  /** As `decide`, in the caller's transaction, with the units and use cases looked up before. */
  private async decideWithin(
    tx: TransactionalEventStore,
    read: ReadItem,
    caller: IngestionCaller,
    channel: IngestionChannel,
    known: ReadonlyMap<string, UnitLookup>,
  ): Promise<Outcome> {
    const hash = payloadHash(read.usage);
    const previous = await this.findRecorded(tx, read);
    if (previous !== undefined) return this.replayOutcome(previous, hash, read);
    const refused = this.checkTime(read);
    if (refused !== undefined) return refused;
    const lookup = known.get(lookupKey(read.usage.unitId, read.usage.useCase));
    if (lookup === undefined) throw new Error('unit and use case were not looked up');
    return checkKnown(read, lookup) ?? (await this.record(tx, read, hash, caller, channel));
  }

  /**
   * Deletes dedup rows older than the window (all of them by default, 1 000 per transaction);
   * returns how many. Run it daily.
   */
  async pruneDedup(now: Date = this.clock(), maxRows = Number.POSITIVE_INFINITY): Promise<number> {
    return this.pruneOlderThanWindow('dedup', 'first_seen_at', undefined, now, maxRows);
  }

  /**
   * Deletes one consumer's ledger inbox rows older than the dedup window (the raw consumer's):
   * a record is redelivered only until its offset is committed, and a re-run past the window is
   * still harmless (accepted usage is a duplicate or too late, a rejection derives its ids from
   * the record). Returns how many.
   */
  async pruneInbox(
    consumer: string,
    now: Date = this.clock(),
    maxRows = Number.POSITIVE_INFINITY,
  ): Promise<number> {
    return this.pruneOlderThanWindow('inbox', 'processed_at', consumer, now, maxRows);
  }

  private async pruneOlderThanWindow(
    table: 'dedup' | 'inbox',
    column: 'first_seen_at' | 'processed_at',
    consumer: string | undefined,
    now: Date,
    maxRows: number,
  ): Promise<number> {
    const cutoff = new Date(now.getTime() - this.settings.dedupWindowMs);
    const name = q(this.store.schema, table);
    const byConsumer = consumer === undefined ? '' : ' AND consumer = $3';
    let deleted = 0;
    while (deleted < maxRows) {
      const limit = Math.min(1_000, maxRows - deleted);
      const rows = await this.store.transaction((tx) =>
        tx.sql.query(
          `DELETE FROM ${name} WHERE ctid IN (
             SELECT ctid FROM ${name} WHERE ${column} < $1${byConsumer} LIMIT $2)
           RETURNING 1`,
          consumer === undefined ? [cutoff, limit] : [cutoff, limit, consumer],
        ),
      );
      deleted += rows.length;
      if (rows.length === 0) break;
    }
    return deleted;
  }

  /** The item's result; a rejection is appended first (in a transaction of its own). */
  private async finish(
    index: number,
    item: IncomingUsage,
    read: ReadResult,
    outcome: Outcome,
    caller: IngestionCaller,
    channel: IngestionChannel,
    rejectionKey: string | undefined,
  ): Promise<ItemResult> {
    const identity = read.ok ? { source: read.value.source, id: read.value.id } : read.identity;
    if (outcome.status !== 'rejected')
      return {
        index,
        status: outcome.status,
        ...identity,
        recordedEventId: outcome.recordedEventId,
      };
    const [first] = outcome.reasons;
    if (first === undefined) throw new Error('a rejection without a reason');
    const unitId = read.ok ? read.value.usage.unitId : undefined;
    await runUnitOfWork(this.store, (tx) =>
      this.appendRejection(tx, {
        item,
        identity,
        unitId,
        reasons: outcome.reasons,
        caller,
        channel,
        rejectionKey,
      }),
    );
    return {
      index,
      status: 'rejected',
      ...identity,
      error: first,
      issues: outcome.reasons,
    };
  }

  private async decide(
    read: ReadItem,
    caller: IngestionCaller,
    channel: IngestionChannel,
  ): Promise<Outcome> {
    const outOfScope = checkCaller(read, caller);
    if (outOfScope !== undefined) return outOfScope;
    const hash = payloadHash(read.usage);
    const previous = await this.store.transaction((tx) => this.findRecorded(tx, read));
    if (previous !== undefined) return this.replayOutcome(previous, hash, read);
    const refused = this.checkTime(read);
    if (refused !== undefined) return refused;
    const known = await this.directory.lookup(read.usage.unitId, read.usage.useCase);
    return (
      checkKnown(read, known) ??
      (await runUnitOfWork(this.store, (tx) => this.record(tx, read, hash, caller, channel)))
    );
  }

  /** Too late or too far in the future (the clock's now); undefined when in bounds. */
  private checkTime(read: ReadItem): Outcome | undefined {
    const { usage, dataPath } = read;
    const now = this.clock();
    const occurred = Date.parse(usage.occurredAt.replace(/(T\d{2}:\d{2}):60/i, '$1:59'));
    if (occurred < now.getTime() - this.settings.maxLatenessMs)
      return reject(
        INGEST_ERROR.tooLate,
        `occurred more than ${this.settings.maxLatenessMs} ms ago; report usage sooner`,
        `${dataPath}occurredAt`,
      );
    if (occurred > now.getTime() + this.settings.maxFutureSkewMs)
      return reject(
        INGEST_ERROR.inFuture,
        `is more than ${this.settings.maxFutureSkewMs} ms in the future; check the sender's clock`,
        `${dataPath}occurredAt`,
      );
    return undefined;
  }

  /** The accepted item's writes, all in one transaction. */
  private async record(
    tx: TransactionalEventStore,
    read: ReadItem,
    hash: string,
    caller: IngestionCaller,
    channel: IngestionChannel,
  ): Promise<Outcome> {
    const { usage, source, id, dataPath } = read;
    // Recorded before its dedup row was pruned (the window or the lateness limit was raised
    // since): the ledger still has it, so it is a duplicate (or a conflict), never a second append.
    const earlier = await this.recordedInLedger(tx, read, hash);
    if (earlier !== undefined) return earlier;
    const catalogue = await this.factorSetsWithin(tx);
    const selected = selectFactorSet(catalogue, usage.occurredAt);
    if (!selected.ok)
      return reject(selected.error.code, selected.error.message, `${dataPath}occurredAt`);
    const converted = convert(usage, selected.value);
    if (!converted.ok)
      return reject(converted.error.code, converted.error.message, dataPath.replace(/\.$/, ''));
    const now = this.clock();
    const eventId = recordedEventId(source, id);
    const inserted = await tx.sql.query(
      `INSERT INTO ${q(this.store.schema, 'dedup')}
         (source, event_id, payload_hash, unit_id, recorded_event_id, first_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING event_id`,
      [source, id, hash, usage.unitId, eventId, now],
    );
    if (inserted.length === 0) {
      // Recorded meanwhile by a concurrent call (the insert waited for it to commit).
      const previous = await this.findRecorded(tx, read);
      if (previous !== undefined) return this.replayOutcome(previous, hash, read);
      throw new Error(`dedup row of ${source} ${id} vanished`);
    }
    const { measuredEnergyMicroWh: _measured, ...reported } = usage;
    const recorded: UsageRecordedV1 = {
      ...reported,
      energyMicroWh: converted.value.energyMicroWh,
      carbonMicroGrams: converted.value.carbonMicroGrams,
      factorSetVersion: converted.value.factorSetVersion,
      method: converted.value.method,
      reportedSource: source,
      reportedId: id,
    };
    const data = serializeUsageRecordedV1(recorded);
    const metadata: EventMetadata = {
      actor: `integrator:${caller.integratorId}`,
      channel,
      occurredAt: now.toISOString(),
      partitionKey: usage.unitId,
      breakdown: converted.value.breakdown,
    };
    const event: EventToAppend<IngestionEvent> = {
      type: INGESTION_EVENT_TYPES.usageRecorded,
      data,
      eventId,
      metadata,
    };
    await tx.appendToStream(usageStreamId(source, id), [event], { expectedVersion: 'no_stream' });
    await tx.sql.query(
      `INSERT INTO ${q(this.store.schema, 'rated_usage')} (source, event_id, unit_id, occurred_at,
         recorded, energy_micro_wh, carbon_micro_grams, method, factor_set_version, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10)`,
      [
        source,
        id,
        usage.unitId,
        usage.occurredAt,
        JSON.stringify(data),
        recorded.energyMicroWh.toString(),
        recorded.carbonMicroGrams.toString(),
        recorded.method,
        recorded.factorSetVersion,
        now,
      ],
    );
    return { status: 'accepted', recordedEventId: eventId };
  }

  /**
   * The factor sets under their shared lock, once per transaction (a chunk's items share it):
   * a publication takes the exclusive lock, so the sets cannot change until the transaction ends.
   */
  private factorSetsWithin(tx: TransactionalEventStore): Promise<FactorSet[]> {
    let sets = this.factorSetsByTransaction.get(tx);
    if (sets === undefined) {
      sets = this.factorSets.lockShared(tx.sql).then(() => this.factorSets.catalogue(tx));
      this.factorSetsByTransaction.set(tx, sets);
    }
    return sets;
  }

  /** The outcome of an item whose UsageRecorded is in the ledger (its dedup row restored). */
  private async recordedInLedger(
    tx: TransactionalEventStore,
    read: ReadItem,
    hash: string,
  ): Promise<Outcome | undefined> {
    const [stored] = await tx.readStream(usageStreamId(read.source, read.id), { maxCount: 1 });
    if (stored === undefined) return undefined;
    if (!sameReportedUsage(stored.data, read))
      return this.replayOutcome(
        { payload_hash: '', recorded_event_id: stored.eventId },
        hash,
        read,
      );
    await tx.sql.query(
      `INSERT INTO ${q(this.store.schema, 'dedup')}
         (source, event_id, payload_hash, unit_id, recorded_event_id, first_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [read.source, read.id, hash, read.usage.unitId, stored.eventId, this.clock()],
    );
    return { status: 'duplicate', recordedEventId: stored.eventId };
  }

  private async findRecorded(
    tx: TransactionalEventStore,
    read: ReadItem,
  ): Promise<{ payload_hash: string; recorded_event_id: string } | undefined> {
    const rows = await tx.sql.query<{ payload_hash: string; recorded_event_id: string }>(
      `SELECT payload_hash, recorded_event_id FROM ${q(this.store.schema, 'dedup')}
        WHERE source = $1 AND event_id = $2`,
      [read.source, read.id],
    );
    return rows[0];
  }

  private replayOutcome(
    previous: { payload_hash: string; recorded_event_id: string },
    hash: string,
    read: ReadItem,
  ): Outcome {
    if (previous.payload_hash === hash)
      return { status: 'duplicate', recordedEventId: previous.recorded_event_id };
    return reject(
      INGEST_ERROR.duplicateConflict,
      `an event with source "${read.source}" and id "${read.id}" was already recorded with another payload; use a new id`,
      'id',
    );
  }

  private async appendRejection(
    tx: TransactionalEventStore,
    rejection: {
      item: IncomingUsage;
      identity: { source?: string; id?: string };
      unitId: string | undefined;
      reasons: readonly ItemError[];
      caller: IngestionCaller;
      channel: IngestionChannel;
      rejectionKey: string | undefined;
    },
  ): Promise<void> {
    const { identity, unitId, caller, channel, rejectionKey } = rejection;
    const rejectionId = rejectionKey === undefined ? randomUUID() : nameUuid(rejectionKey);
    const streamId = `usage-rejected-${rejectionId}`;
    // A re-run of the same delivery: its rejection is already recorded (its reasons may even
    // differ now, e.g. a later clock), so nothing new is written.
    if (rejectionKey !== undefined && (await tx.readStream(streamId, { maxCount: 1 })).length > 0)
      return;
    const payload = encodePayload(originalOf(rejection.item));
    const data: UsageRejectedData = {
      channel,
      integratorId: caller.integratorId,
      ...(identity.source === undefined ? {} : { source: identity.source }),
      ...(identity.id === undefined ? {} : { id: identity.id }),
      ...(unitId === undefined ? {} : { unitId }),
      ...payload,
      // Paths and messages may quote the input (an unknown field's name): bounded, NUL replaced.
      reasons: rejection.reasons.map(({ path, code, message }) => ({
        path: reasonText(path),
        code,
        message: reasonText(message),
      })),
    };
    const event: EventToAppend<IngestionEvent> = {
      type: INGESTION_EVENT_TYPES.usageRejected,
      data,
      ...(rejectionKey === undefined ? {} : { eventId: rejectionId }),
      metadata: {
        actor: `integrator:${caller.integratorId}`,
        occurredAt: this.clock().toISOString(),
        partitionKey: unitId ?? identity.source ?? caller.integratorId,
      },
    };
    await tx.appendToStream(streamId, [event], { expectedVersion: 'no_stream' });
  }
}

// ---- reading items -------------------------------------------------------------------------

type ReadResult =
  | { readonly ok: true; readonly value: ReadItem }
  | {
      readonly ok: false;
      readonly issues: ItemError[];
      readonly identity: { source?: string; id?: string };
    };

const asItemErrors = (issues: readonly ContractIssue[]): ItemError[] =>
  issues.map(({ code, message, path }) => ({ code, message, path }));

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' ? field : undefined;
}

/** A lone UTF-16 surrogate: PostgreSQL's json refuses its escape, so no stored text may hold one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** What the ledger can hold of an unvalidated source or id: no NUL or lone surrogate, bounded. */
const IDENTITY_MAX_CHARS = 2048;
const storable = (text: string | undefined): string | undefined =>
  text !== undefined &&
  text.length <= IDENTITY_MAX_CHARS &&
  !text.includes('\u0000') &&
  !new RegExp(LONE_SURROGATE.source).test(text)
    ? text
    : undefined;

function identityOf(value: unknown): { source?: string; id?: string } {
  const source = storable(stringField(value, 'source'));
  const id = storable(stringField(value, 'id'));
  return { ...(source === undefined ? {} : { source }), ...(id === undefined ? {} : { id }) };
}

function readItem(item: IncomingUsage, caller: IngestionCaller): ReadResult {
  switch (item.format) {
    case 'unreadable':
      return {
        ok: false,
        issues: asItemErrors(item.issues),
        identity: identityOf(item.payload),
      };
    case 'cloudevent':
      return readCloudEvent(item.event, 'data');
    case 'json': {
      const raw = item.item;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        return {
          ok: false,
          issues: [{ code: 'USAGE.NOT_AN_OBJECT', message: 'must be a JSON object', path: '' }],
          identity: {},
        };
      const { id, source, ...data } = raw as Record<string, unknown>;
      const envelope = {
        specversion: '1.0',
        id,
        source: source ?? caller.allowedSource ?? undefined,
        type: USAGE_REPORTED_V1_TYPE,
        datacontenttype: 'application/json',
        data,
      };
      return readCloudEvent(envelope, '');
    }
  }
}

function readCloudEvent(input: unknown, dataPath: '' | 'data'): ReadResult {
  let event: CloudEvent;
  try {
    event = validateCloudEvent(input);
  } catch (error) {
    if (!(error instanceof CloudEventValidationError)) throw error;
    return { ok: false, issues: asItemErrors(error.issues), identity: identityOf(input) };
  }
  const identity = { source: event.source, id: event.id };
  if (event.type !== USAGE_REPORTED_V1_TYPE)
    return {
      ok: false,
      issues: [
        {
          code: INGEST_ERROR.unsupportedType,
          message: `must be ${USAGE_REPORTED_V1_TYPE}`,
          path: 'type',
        },
      ],
      identity,
    };
  const usage = validateUsageReportedV1(event.data, { path: dataPath });
  if (!usage.ok) return { ok: false, issues: asItemErrors(usage.issues), identity };
  return {
    ok: true,
    value: {
      source: event.source,
      id: event.id,
      usage: usage.value,
      dataPath: dataPath === '' ? '' : `${dataPath}.`,
    },
  };
}

// ---- checks --------------------------------------------------------------------------------

/** The caller's source and unit scope; undefined when the item is within them. */
function checkCaller(read: ReadItem, caller: IngestionCaller): Outcome | undefined {
  const { usage, dataPath } = read;
  if (caller.allowedSource !== null && read.source !== caller.allowedSource)
    return reject(
      INGEST_ERROR.sourceNotAllowed,
      `this key may only report events with source "${caller.allowedSource}"`,
      'source',
    );
  if (caller.allowedUnits !== null && !caller.allowedUnits.includes(usage.unitId))
    return reject(
      INGEST_ERROR.unitOutOfScope,
      `this key may not report usage for unit "${usage.unitId}"`,
      `${dataPath}unitId`,
    );
  return undefined;
}

/** Unit and use case known to ingestion; undefined when both are. */
function checkKnown(read: ReadItem, known: UnitLookup): Outcome | undefined {
  const { usage, dataPath } = read;
  if (!known.unitKnown)
    return reject(
      INGEST_ERROR.unknownUnit,
      `unit "${usage.unitId}" is not known`,
      `${dataPath}unitId`,
    );
  if (!known.useCaseKnown)
    return reject(
      INGEST_ERROR.unknownUseCase,
      `use case "${usage.useCase}" is not known`,
      `${dataPath}useCase`,
    );
  return undefined;
}

const lookupKey = (unitId: string, useCase: string): string => `${unitId}\u0000${useCase}`;

// ---- helpers -------------------------------------------------------------------------------

/** A name-based UUID (SHA-256, RFC 9562 version 8 layout) of a rejection key. */
function nameUuid(key: string): string {
  const bytes = createHash('sha256')
    .update(`plafond.ingestion.rejection\u0000${key}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Fields of UsageRecorded that the conversion computes (the rest is the reported usage). */
const DERIVED_FIELDS = ['energyMicroWh', 'carbonMicroGrams', 'factorSetVersion', 'method'];

/**
 * Whether a stored UsageRecorded's data records this same usage: equal reported fields, and the
 * measured energy (which the event carries as its energy, method `measured`) equal too.
 */
function sameReportedUsage(storedData: unknown, read: ReadItem): boolean {
  if (typeof storedData !== 'object' || storedData === null) return false;
  const { measuredEnergyMicroWh: measured, ...reported } = read.usage;
  const candidate: Record<string, unknown> = {
    ...serializeUsageRecordedV1({
      ...reported,
      energyMicroWh: 0n,
      carbonMicroGrams: 0n,
      factorSetVersion: '-',
      method: 'modelled',
      reportedSource: read.source,
      reportedId: read.id,
    }),
  };
  const stored: Record<string, unknown> = { ...(storedData as Record<string, unknown>) };
  const storedMeasured = stored['method'] === 'measured';
  if (storedMeasured !== (measured !== undefined)) return false;
  if (measured !== undefined && stored['energyMicroWh'] !== measured.toString()) return false;
  for (const field of DERIVED_FIELDS) {
    delete candidate[field];
    delete stored[field];
  }
  return canonicalJson(candidate) === canonicalJson(stored);
}

/** The normalised usage's hash: aliases, number or string quantities compare equal. */
function payloadHash(usage: UsageReportedV1): string {
  return createHash('sha256')
    .update(canonicalJson(serializeUsageReportedV1(usage)))
    .digest('hex');
}

function laneOf(key: string, lanes: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % lanes;
}

function originalOf(item: IncomingUsage): unknown {
  switch (item.format) {
    case 'cloudevent':
      return item.event;
    case 'json':
      return item.item;
    case 'unreadable':
      return item.payload;
  }
}

function encodePayload(
  original: unknown,
): Pick<UsageRejectedData, 'payload' | 'payloadEncoding' | 'payloadTruncated'> {
  let text: string;
  let encoding: 'json' | 'base64' = 'json';
  if (original instanceof Uint8Array) {
    text = Buffer.from(original).toString('base64');
    encoding = 'base64';
  } else {
    try {
      text =
        JSON.stringify(original, (_key, value: unknown) =>
          typeof value === 'bigint'
            ? value.toString()
            : value instanceof Uint8Array
              ? Buffer.from(value).toString('base64')
              : value,
        ) ?? 'null';
    } catch {
      text = String(original).replace(LONE_SURROGATE, '\ufffd');
    }
  }
  if (storedBytes(text) <= PAYLOAD_MAX_BYTES) return { payload: text, payloadEncoding: encoding };
  return { payload: fittingPrefix(text), payloadEncoding: encoding, payloadTruncated: true };
}

const REASON_MAX_CHARS = 1024;
const reasonText = (text: string): string => {
  const cut = text.length <= REASON_MAX_CHARS ? text : `${text.slice(0, REASON_MAX_CHARS - 1)}…`;
  return cut.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd');
};

/** Bytes a string takes inside the ledger's JSON: quotes and backslashes escape again. */
const storedBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text));

/** The longest prefix whose stored form fits PAYLOAD_MAX_BYTES, never splitting a surrogate pair. */
function fittingPrefix(text: string): string {
  let fits = 0;
  let tooLong = Math.min(text.length, PAYLOAD_MAX_BYTES) + 1;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (storedBytes(text.slice(0, middle)) <= PAYLOAD_MAX_BYTES) fits = middle;
    else tooLong = middle;
  }
  const last = text.charCodeAt(fits - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? fits - 1 : fits);
}
