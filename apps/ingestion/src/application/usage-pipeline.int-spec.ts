import {
  USAGE_REPORTED_V1_TYPE,
  validateUsageRecordedV1,
  validateUsageReportedV1,
} from '@plafond/contracts';
import { DEFAULT_FACTOR_SET, DEFAULT_FACTOR_SET_VERSION, convert } from '../domain/conversion';
import { TEST_SET_JSON } from '../domain/conversion/testing/factor-set.fixtures';
import { INGEST_ERROR } from './errors';
import type { IncomingUsage } from './usage-pipeline';
import {
  ADMIN,
  CALLER,
  SCHEMA,
  SOURCE,
  T0,
  createIngestionTestKit,
  type IngestionTestKit,
} from './testing/ingestion-test-kit';

const DAY_MS = 24 * 60 * 60 * 1000;
const OCCURRED = '2026-03-10T11:00:00Z';

const data = (overrides: Record<string, unknown> = {}) => ({
  unitId: 'team-search',
  useCase: 'support-chat',
  model: 'meta-llama-3.1-70b-instruct',
  region: 'fr',
  inputTokens: 1200,
  outputTokens: '350',
  occurredAt: OCCURRED,
  ...overrides,
});

const cloudEvent = (
  id: string,
  overrides: Record<string, unknown> = {},
  event: Record<string, unknown> = {},
): IncomingUsage => ({
  format: 'cloudevent',
  event: {
    specversion: '1.0',
    id,
    source: SOURCE,
    type: USAGE_REPORTED_V1_TYPE,
    datacontenttype: 'application/json',
    data: data(overrides),
    ...event,
  },
});

const plain = (id: string, overrides: Record<string, unknown> = {}): IncomingUsage => ({
  format: 'json',
  item: { id, ...data(overrides) },
});

describe('UsagePipeline (PostgreSQL)', () => {
  let kit: IngestionTestKit;

  beforeAll(async () => {
    kit = await createIngestionTestKit('ingest-pipeline', { instances: 2 });
  });
  afterAll(async () => {
    await kit.close();
  });

  it('records an accepted item in the ledger with its factor set and method, keyed by unit', async () => {
    const results = await kit.app.pipeline.ingest(
      [cloudEvent('acc-1'), plain('acc-2', { region: 'us' })],
      CALLER,
      'http',
    );
    expect(results.map((r) => [r.index, r.status, r.id, r.source])).toEqual([
      [0, 'accepted', 'acc-1', SOURCE],
      [1, 'accepted', 'acc-2', SOURCE],
    ]);
    const recorded = (await kit.eventsOfType('UsageRecorded')).filter((e) =>
      ['acc-1', 'acc-2'].includes(e.data.reportedId),
    );
    expect(recorded).toHaveLength(2);
    for (const event of recorded) {
      const parsed = validateUsageRecordedV1(event.data);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      expect(parsed.value).toMatchObject({
        unitId: 'team-search',
        factorSetVersion: DEFAULT_FACTOR_SET_VERSION,
        method: 'modelled',
        reportedSource: SOURCE,
        inputTokens: 1200n,
        outputTokens: 350n,
      });
      expect(event.metadata).toMatchObject({
        partitionKey: 'team-search',
        actor: 'integrator:int-gateway',
        channel: 'http',
      });
      expect(event.metadata.breakdown).toMatchObject({ basis: 'tokens' });
      expect(results.find((r) => r.id === event.data.reportedId)?.recordedEventId).toBe(
        event.eventId,
      );
      // The values are the conversion's, exactly.
      const reported = validateUsageReportedV1(data({ region: event.data.region }));
      if (!reported.ok) throw new Error('fixture');
      const expected = convert(reported.value, DEFAULT_FACTOR_SET);
      if (!expected.ok) throw new Error('fixture');
      expect(parsed.value.energyMicroWh).toBe(expected.value.energyMicroWh);
      expect(parsed.value.carbonMicroGrams).toBe(expected.value.carbonMicroGrams);
    }
  });

  it('takes measured energy over the model', async () => {
    const [result] = await kit.app.pipeline.ingest(
      [cloudEvent('measured-1', { measuredEnergyWh: '0.75' })],
      CALLER,
      'kafka',
    );
    expect(result?.status).toBe('accepted');
    const event = (await kit.eventsOfType('UsageRecorded')).find(
      (e) => e.data.reportedId === 'measured-1',
    );
    expect(event?.data).toMatchObject({ method: 'measured', energyMicroWh: '750000' });
    // 750 000 µWh at France's 81.3 g/kWh = 60 975 µg.
    expect(event?.data.carbonMicroGrams).toBe('60975');
  });

  it('accepts OpenTelemetry GenAI names', async () => {
    const [result] = await kit.app.pipeline.ingest(
      [
        cloudEvent('otel-1', {
          model: undefined,
          inputTokens: undefined,
          outputTokens: undefined,
          'gen_ai.request.model': 'mistral-7b-instruct-v0.3',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 20,
        }),
      ],
      CALLER,
      'http',
    );
    expect(result?.status).toBe('accepted');
    const event = (await kit.eventsOfType('UsageRecorded')).find(
      (e) => e.data.reportedId === 'otel-1',
    );
    expect(event?.data).toMatchObject({
      model: 'mistral-7b-instruct-v0.3',
      inputTokens: '10',
      outputTokens: '20',
    });
  });

  describe('rejections: each code, and nothing but a UsageRejected event', () => {
    const late = new Date(T0.getTime() - 31 * DAY_MS).toISOString();
    const future = new Date(T0.getTime() + 10 * 60 * 1000).toISOString();
    const cases: {
      label: string;
      item: IncomingUsage;
      code: string;
      path: string;
      caller?: typeof CALLER;
    }[] = [
      {
        label: 'invalid data',
        item: cloudEvent('r-data', { inputTokens: -1 }),
        code: 'QUANTITY.NEGATIVE',
        path: 'data.inputTokens',
      },
      {
        label: 'no quantity',
        item: plain('r-none', { inputTokens: undefined, outputTokens: undefined }),
        code: 'USAGE.NO_MEASURABLE_QUANTITY',
        path: '',
      },
      {
        label: 'an envelope without id',
        item: cloudEvent('', {}),
        code: 'CLOUDEVENT.EMPTY_STRING',
        path: 'id',
      },
      {
        label: 'another event type',
        item: cloudEvent('r-type', {}, { type: 'org.example.other' }),
        code: INGEST_ERROR.unsupportedType,
        path: 'type',
      },
      {
        label: 'another source',
        item: cloudEvent('r-src', {}, { source: 'urn:other' }),
        code: INGEST_ERROR.sourceNotAllowed,
        path: 'source',
      },
      {
        label: 'a unit outside the key',
        item: cloudEvent('r-scope', { unitId: 'team-ads' }),
        code: INGEST_ERROR.unitOutOfScope,
        path: 'data.unitId',
        caller: { ...CALLER, allowedUnits: ['team-search'] },
      },
      {
        label: 'too late',
        item: cloudEvent('r-late', { occurredAt: late }),
        code: INGEST_ERROR.tooLate,
        path: 'data.occurredAt',
      },
      {
        label: 'in the future',
        item: plain('r-future', { occurredAt: future }),
        code: INGEST_ERROR.inFuture,
        path: 'occurredAt',
      },
      {
        label: 'an unknown unit',
        item: cloudEvent('r-unit', { unitId: 'team-ghost' }),
        code: INGEST_ERROR.unknownUnit,
        path: 'data.unitId',
      },
      {
        label: 'an unknown use case',
        item: cloudEvent('r-uc', { useCase: 'mystery' }),
        code: INGEST_ERROR.unknownUseCase,
        path: 'data.useCase',
      },
      {
        label: 'an unreadable record',
        item: {
          format: 'unreadable',
          payload: Buffer.from('not json'),
          issues: [{ path: 'value', code: 'CLOUDEVENT.INVALID_JSON', message: 'bad' }],
        },
        code: 'CLOUDEVENT.INVALID_JSON',
        path: 'value',
      },
    ];

    it.each(cases)('rejects $label with $code', async ({ item, code, path, caller }) => {
      const before = await kit.events();
      const dedup = await kit.count('dedup');
      const rated = await kit.count('rated_usage');
      const [result] = await kit.app.pipeline.ingest([item], caller ?? CALLER, 'http');
      expect(result).toMatchObject({ index: 0, status: 'rejected', error: { code, path } });
      const after = await kit.events();
      expect(after).toHaveLength(before.length + 1);
      const rejected = after[after.length - 1];
      expect(rejected?.type).toBe('UsageRejected');
      if (rejected?.type !== 'UsageRejected') return;
      expect(rejected.data.reasons).toContainEqual(expect.objectContaining({ code, path }));
      expect(rejected.data.integratorId).toBe(CALLER.integratorId);
      expect(rejected.data.payload.length).toBeGreaterThan(0);
      expect(await kit.count('dedup')).toBe(dedup);
      expect(await kit.count('rated_usage')).toBe(rated);
    });

    it('keeps the original payload of a rejected item', async () => {
      const item = cloudEvent('r-payload', { unitId: 'team-ghost' });
      await kit.app.pipeline.ingest([item], CALLER, 'http');
      const event = (await kit.eventsOfType('UsageRejected')).find(
        (e) => e.data.id === 'r-payload',
      );
      expect(event?.data.payloadEncoding).toBe('json');
      expect(JSON.parse(event?.data.payload ?? 'null')).toEqual((item as { event: unknown }).event);
      expect(event?.metadata.partitionKey).toBe('team-ghost');
    });

    it('records the rejection of an item whose payload escapes to more than a ledger event holds', async () => {
      // 400 000 quotes: under 1 MiB as JSON, but each one escapes twice in the stored event.
      const item = plain('r-quotes', { unitId: '"'.repeat(400_000) });
      const [result] = await kit.app.pipeline.ingest([item], CALLER, 'kafka');
      expect(result).toMatchObject({ status: 'rejected', id: 'r-quotes' });
      const event = (await kit.eventsOfType('UsageRejected')).find((e) => e.data.id === 'r-quotes');
      expect(event?.data.payloadTruncated).toBe(true);
      expect(event?.data.payload.startsWith('{"id":"r-quotes"')).toBe(true);
    });

    it('records the rejection of an item with NUL characters or huge names where the ledger refuses them', async () => {
      const before = (await kit.eventsOfType('UsageRejected')).length;
      const items: IncomingUsage[] = [
        cloudEvent('r-nul\u0000', {}, { source: 'urn:a\u0000' }),
        cloudEvent('r-nul-field', { 'x\u0000': 1, ['y'.repeat(300_000)]: 2 }),
        cloudEvent('r-surrogate\ud800', {}, { source: 'urn:\udc00' }),
      ];
      const results = await kit.app.pipeline.ingest(items, CALLER, 'kafka');
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      const after = await kit.eventsOfType('UsageRejected');
      expect(after).toHaveLength(before + 3);
      const field = after.find((e) => e.data.id === 'r-nul-field');
      expect(field?.data.reasons.map((r) => r.code)).toContain('USAGE.UNKNOWN_FIELD');
    });

    it('lets an item rejected once be accepted when sent again after the cause is fixed', async () => {
      const item = cloudEvent('r-retry', { unitId: 'team-new' });
      expect((await kit.app.pipeline.ingest([item], CALLER, 'http'))[0]?.error?.code).toBe(
        INGEST_ERROR.unknownUnit,
      );
      await kit.app.store.transaction((tx) =>
        kit.app.directory.rememberUnit(tx.sql, 'team-new', T0),
      );
      expect((await kit.app.pipeline.ingest([item], CALLER, 'http'))[0]?.status).toBe('accepted');
    });

    it('rejects what the factor set cannot convert with the conversion code', async () => {
      const published = await kit.app.factorSets.publish(ADMIN, {
        ...TEST_SET_JSON,
        version: 'no-default-model',
        effectiveFrom: '2026-03-10T06:00:00Z',
        effectiveTo: '2026-03-10T07:00:00Z',
        defaults: { region: 'world' },
      });
      expect(published.adjusted).toBe(0);
      const [result] = await kit.app.pipeline.ingest(
        [cloudEvent('r-conv', { model: 'gpt-unknown', occurredAt: '2026-03-10T06:30:00Z' })],
        CALLER,
        'http',
      );
      expect(result).toMatchObject({
        status: 'rejected',
        error: { code: 'CONVERSION.MODEL_UNKNOWN' },
      });
      expect((await kit.eventsOfType('UsageRejected')).some((e) => e.data.id === 'r-conv')).toBe(
        true,
      );
    });
  });

  describe('deduplication on (source, id)', () => {
    it('answers duplicate for the same payload, in any encoding, and records it once', async () => {
      const first = await kit.app.pipeline.ingest([cloudEvent('dup-1')], CALLER, 'http');
      const again = await kit.app.pipeline.ingest(
        [
          plain('dup-1', { inputTokens: '1200', outputTokens: 350 }),
          cloudEvent('dup-1', { inputTokens: undefined, 'gen_ai.usage.input_tokens': 1200 }),
        ],
        CALLER,
        'kafka',
      );
      expect(first[0]?.status).toBe('accepted');
      expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(again[0]?.recordedEventId).toBe(first[0]?.recordedEventId);
      const recorded = (await kit.eventsOfType('UsageRecorded')).filter(
        (e) => e.data.reportedId === 'dup-1',
      );
      expect(recorded).toHaveLength(1);
    });

    it('accepts the first of one id within a batch and answers duplicate for the others', async () => {
      const results = await kit.app.pipeline.ingest(
        [cloudEvent('dup-batch'), cloudEvent('other-1'), cloudEvent('dup-batch')],
        CALLER,
        'http',
      );
      expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'duplicate']);
    });

    it('counts once what two instances receive concurrently', async () => {
      const items = Array.from({ length: 8 }, (_, i) => cloudEvent(`conc-${i}`));
      const [a, b] = await Promise.all(
        kit.instances.map((instance, n) =>
          instance.pipeline.ingest(
            n === 0 ? items : [...items].reverse(),
            CALLER,
            n === 0 ? 'http' : 'kafka',
          ),
        ),
      );
      const statuses = [...(a ?? []), ...(b ?? [])];
      expect(statuses.filter((r) => r.status === 'accepted')).toHaveLength(8);
      expect(statuses.filter((r) => r.status === 'duplicate')).toHaveLength(8);
      const recorded = (await kit.eventsOfType('UsageRecorded')).filter((e) =>
        e.data.reportedId.startsWith('conc-'),
      );
      expect(recorded).toHaveLength(8);
    });

    it('rejects the same id with another payload as a conflict and keeps the original', async () => {
      await kit.app.pipeline.ingest([cloudEvent('conflict-1')], CALLER, 'http');
      const [result] = await kit.app.pipeline.ingest(
        [cloudEvent('conflict-1', { outputTokens: '351' })],
        CALLER,
        'kafka',
      );
      expect(result).toMatchObject({
        status: 'rejected',
        error: { code: INGEST_ERROR.duplicateConflict, path: 'id' },
      });
      const recorded = (await kit.eventsOfType('UsageRecorded')).filter(
        (e) => e.data.reportedId === 'conflict-1',
      );
      expect(recorded.map((e) => e.data.outputTokens)).toEqual(['350']);
      const rejected = (await kit.eventsOfType('UsageRejected')).filter(
        (e) => e.data.id === 'conflict-1',
      );
      expect(rejected).toHaveLength(1);
    });

    it('answers duplicate (or conflict) for a usage recorded before its dedup row was pruned', async () => {
      const dropDedupRow = (id: string) =>
        kit.app.pool.query(`DELETE FROM "${SCHEMA}".dedup WHERE source = $1 AND event_id = $2`, [
          SOURCE,
          id,
        ]);
      const [first] = await kit.app.pipeline.ingest([cloudEvent('pruned-1')], CALLER, 'http');
      expect(first?.status).toBe('accepted');
      const [measured] = await kit.app.pipeline.ingest(
        [plain('pruned-2', { measuredEnergyMicroWh: '5000' })],
        CALLER,
        'http',
      );
      expect(measured?.status).toBe('accepted');
      // The window or the lateness limit was raised after the rows were pruned.
      await dropDedupRow('pruned-1');
      await dropDedupRow('pruned-2');
      const again = await kit.app.pipeline.ingest(
        [plain('pruned-1'), cloudEvent('pruned-2', { measuredEnergyMicroWh: 5000 })],
        CALLER,
        'http',
      );
      expect(again.map((r) => [r.status, r.recordedEventId])).toEqual([
        ['duplicate', first?.recordedEventId],
        ['duplicate', measured?.recordedEventId],
      ]);
      // The dedup row is back: the next resend stops there.
      expect(
        (await kit.app.pool.query(`SELECT 1 FROM "${SCHEMA}".dedup WHERE event_id = 'pruned-1'`))
          .rows,
      ).toHaveLength(1);
      await dropDedupRow('pruned-1');
      await dropDedupRow('pruned-2');
      const conflicts = await kit.app.pipeline.ingest(
        [
          cloudEvent('pruned-1', { outputTokens: 351 }),
          cloudEvent('pruned-2', { measuredEnergyMicroWh: 5001 }),
        ],
        CALLER,
        'http',
      );
      expect(conflicts.map((r) => [r.status, r.error?.code])).toEqual([
        ['rejected', INGEST_ERROR.duplicateConflict],
        ['rejected', INGEST_ERROR.duplicateConflict],
      ]);
      const recorded = (await kit.eventsOfType('UsageRecorded')).filter((e) =>
        ['pruned-1', 'pruned-2'].includes(e.data.reportedId),
      );
      expect(recorded).toHaveLength(2);
    });

    it('derives a rejection from its key when given one, so the same delivery rejects once', async () => {
      const options = { rejectionKey: 'usage.raw:0:raw:1:2:abc' };
      const item = plain('keyed-reject-1', { unitId: 'team-unknown' });
      const [once] = await kit.app.pipeline.ingest([item], CALLER, 'kafka', options);
      const [twice] = await kit.app.pipeline.ingest([item], CALLER, 'kafka', options);
      expect([once?.status, twice?.status]).toEqual(['rejected', 'rejected']);
      const rejected = (await kit.eventsOfType('UsageRejected')).filter(
        (e) => e.data.id === 'keyed-reject-1',
      );
      expect(rejected).toHaveLength(1);
      await kit.app.pipeline.ingest([item], CALLER, 'http');
      expect(
        (await kit.eventsOfType('UsageRejected')).filter((e) => e.data.id === 'keyed-reject-1'),
      ).toHaveLength(2);
    });

    it('prunes every expired id in one run, however many accumulated', async () => {
      await kit.app.pool.query(
        `INSERT INTO "${SCHEMA}".dedup
           (source, event_id, payload_hash, unit_id, recorded_event_id, first_seen_at)
         SELECT 'urn:bulk', 'bulk-' || n, 'h', 'team-search', 'r-' || n, $1
           FROM generate_series(1, 100500) AS n`,
        [new Date(T0.getTime() - 40 * DAY_MS)],
      );
      expect(await kit.app.pipeline.pruneDedup(T0)).toBe(100_500);
      const { rows } = await kit.app.pool.query(
        `SELECT 1 FROM "${SCHEMA}".dedup WHERE source = 'urn:bulk' LIMIT 1`,
      );
      expect(rows).toHaveLength(0);
    });

    it('forgets ids after the window, when a replay can only be too late', async () => {
      const kit2 = await createIngestionTestKit('ingest-prune', {
        settings: { dedupWindowMs: 31 * DAY_MS },
      });
      try {
        await kit2.app.pipeline.ingest([cloudEvent('old-1')], CALLER, 'http');
        expect(await kit2.app.pipeline.pruneDedup()).toBe(0);
        kit2.app.clock.advance(31 * DAY_MS + 1);
        expect(await kit2.app.pipeline.pruneDedup()).toBe(1);
        const [result] = await kit2.app.pipeline.ingest([cloudEvent('old-1')], CALLER, 'http');
        expect(result?.error?.code).toBe(INGEST_ERROR.tooLate);
        expect(await kit2.eventsOfType('UsageRecorded')).toHaveLength(1);
      } finally {
        await kit2.close();
      }
    });
  });
});
