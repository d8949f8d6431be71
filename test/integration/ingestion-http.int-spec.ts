// The ingestion service's HTTP edge over real HTTP on real PostgreSQL: integrators and their
// keys, POST /v1/usage (verdict per item, durable before the answer), batch limits, access.
import { DEFAULT_FACTOR_SET_VERSION } from '../../apps/ingestion/src/domain/conversion';
import { IntegratorService } from '../../apps/ingestion/src/integrators';
import { client, type Client } from './allocation-service';
import {
  prepareIngestionInfrastructure,
  rememberUnitsAndUseCases,
  SCHEMA,
  startIngestionInProcess,
  type InProcessIngestion,
  type IngestionInfrastructure,
} from './ingestion-service';

const SOURCE = 'urn:acme:llm-gateway';

interface ItemAnswer {
  index: number;
  status: string;
  id?: string;
  source?: string;
  recordedEventId?: string;
  error?: { code: string; message: string; path: string };
}
interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  items: ItemAnswer[];
}

// One instant for the whole file: the same id with another occurredAt would be a conflict.
const OCCURRED = new Date(Date.now() - 60_000).toISOString();

const usage = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  unitId: 'team-search',
  useCase: 'support-chat',
  model: 'meta-llama-3.1-70b-instruct',
  region: 'fr',
  inputTokens: '1200',
  outputTokens: 350,
  occurredAt: OCCURRED,
  ...overrides,
});

const cloudEvent = (id: string, source = SOURCE, overrides: Record<string, unknown> = {}) => {
  const { id: _ignored, ...data } = usage(id, overrides);
  return {
    specversion: '1.0',
    id,
    source,
    type: 'org.plafond.usage.reported.v1',
    datacontenttype: 'application/json',
    data,
  };
};

describe('ingestion HTTP edge (real HTTP, PostgreSQL)', () => {
  let infrastructure: IngestionInfrastructure;
  let service: InProcessIngestion;
  let admin: Client;
  let integratorKey: string;
  let integrator: Client;

  const recordedCount = async (eventIds: readonly string[]) => {
    const { rows } = await infrastructure.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${SCHEMA}".events WHERE event_type = 'UsageRecorded' AND event_id = ANY($1)`,
      [eventIds],
    );
    return Number(rows[0]?.n);
  };

  beforeAll(async () => {
    infrastructure = await prepareIngestionInfrastructure('ingest-http');
    await rememberUnitsAndUseCases(
      infrastructure.pool,
      ['team-search', 'team-ads'],
      ['support-chat'],
    );
    service = await startIngestionInProcess(infrastructure);
    admin = client(service.baseUrl, infrastructure.adminKey);
    const created = await admin.post('/v1/integrators', {
      integratorId: 'llm-gateway',
      name: 'Search LLM gateway',
      source: SOURCE,
      unitIds: ['team-search'],
    });
    expect(created.status).toBe(201);
    const key = await admin.post<{ key: string; role: string }>(
      '/v1/integrators/llm-gateway/keys',
      {},
    );
    expect(key.status).toBe(201);
    expect(key.body.role).toBe('integrator');
    integratorKey = key.body.key;
    integrator = client(service.baseUrl, integratorKey);
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    await infrastructure?.close();
  });

  describe('integrators (admin)', () => {
    it('creates, lists, scopes and refuses a second integrator with the same id or source', async () => {
      expect((await admin.get('/v1/integrators/llm-gateway')).body).toMatchObject({
        integratorId: 'llm-gateway',
        source: SOURCE,
        unitIds: ['team-search'],
        disabledAt: null,
      });
      const sameId = await admin.post('/v1/integrators', {
        integratorId: 'llm-gateway',
        name: 'x',
        source: 'urn:other',
        unitIds: null,
      });
      expect([sameId.status, sameId.body.code]).toEqual([409, 'INTEGRATOR.ALREADY_EXISTS']);
      const sameSource = await admin.post('/v1/integrators', {
        integratorId: 'copycat',
        name: 'x',
        source: SOURCE,
        unitIds: null,
      });
      expect([sameSource.status, sameSource.body.code]).toEqual([409, 'INTEGRATOR.SOURCE_TAKEN']);
      const missingUnits = await admin.post('/v1/integrators', {
        integratorId: 'no-units',
        name: 'x',
        source: 'urn:no-units',
      });
      expect([missingUnits.status, missingUnits.body.code]).toEqual([400, 'REQUEST.INVALID']);
      const unknown = await admin.get('/v1/integrators/ghost');
      expect([unknown.status, unknown.body.code]).toEqual([404, 'INTEGRATOR.NOT_FOUND']);
      const list = await admin.get<Array<{ integratorId: string }>>('/v1/integrators');
      expect(list.body.map((i) => i.integratorId)).toEqual(['llm-gateway']);
    });

    it('lets an auditor read but not write, and an integrator key do neither', async () => {
      const auditorKey = (
        await admin.post<{ key: string }>('/v1/api-keys', { name: 'audit', role: 'auditor' })
      ).body.key;
      const auditor = client(service.baseUrl, auditorKey);
      expect((await auditor.get('/v1/integrators')).status).toBe(200);
      const write = await auditor.post('/v1/integrators', {
        integratorId: 'by-auditor',
        name: 'x',
        source: 'urn:x',
        unitIds: null,
      });
      expect([write.status, write.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const byIntegrator = await integrator.get('/v1/integrators');
      expect([byIntegrator.status, byIntegrator.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const auditorUsage = await auditor.post('/v1/usage', [usage('by-auditor')]);
      expect([auditorUsage.status, auditorUsage.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const anonymous = await client(service.baseUrl).post('/v1/usage', [usage('anon')]);
      expect([anonymous.status, anonymous.body.code]).toEqual([401, 'AUTH.UNAUTHENTICATED']);
    });

    it('rotates a key (new key works, old one refused) and revokes keys', async () => {
      await admin.post('/v1/integrators', {
        integratorId: 'scheduler',
        name: 'GPU scheduler',
        source: 'urn:acme:scheduler',
        unitIds: null,
      });
      const first = await admin.post<{ key: string; keyId: string }>(
        '/v1/integrators/scheduler/keys',
        { name: 'scheduler prod' },
      );
      const event = () => [usage(`sched-${Math.random()}`, { source: 'urn:acme:scheduler' })];
      expect(
        (await client(service.baseUrl, first.body.key).post('/v1/usage', event())).status,
      ).toBe(200);

      const rotated = await admin.post<{
        created: { key: string; keyId: string; name: string };
        revoked: { keyId: string; revokedAt: string | null };
      }>(`/v1/integrators/scheduler/keys/${first.body.keyId}/rotate`, {});
      expect(rotated.status).toBe(200);
      expect(rotated.body.created.name).toBe('scheduler prod');
      expect(rotated.body.revoked.keyId).toBe(first.body.keyId);
      expect(rotated.body.revoked.revokedAt).not.toBeNull();
      expect(
        (await client(service.baseUrl, first.body.key).post('/v1/usage', event())).status,
      ).toBe(401);
      const second = client(service.baseUrl, rotated.body.created.key);
      expect((await second.post('/v1/usage', event())).status).toBe(200);

      const otherIntegratorsKey = await admin.delete(
        `/v1/integrators/llm-gateway/keys/${rotated.body.created.keyId}`,
      );
      expect([otherIntegratorsKey.status, otherIntegratorsKey.body.code]).toEqual([
        404,
        'INTEGRATOR.KEY_NOT_FOUND',
      ]);
      const revoked = await admin.delete(
        `/v1/integrators/scheduler/keys/${rotated.body.created.keyId}`,
      );
      expect(revoked.status).toBe(200);
      expect((await second.post('/v1/usage', event())).status).toBe(401);
      const keys = await admin.get<Array<{ revokedAt: string | null }>>(
        '/v1/integrators/scheduler/keys',
      );
      expect(keys.body.map((k) => k.revokedAt !== null)).toEqual([true, true]);
    });

    it('refuses the keys of a disabled integrator', async () => {
      await admin.post('/v1/integrators', {
        integratorId: 'retired',
        name: 'Old exporter',
        source: 'urn:acme:retired',
        unitIds: null,
      });
      const key = (await admin.post<{ key: string }>('/v1/integrators/retired/keys', {})).body.key;
      const disabled = await admin.post('/v1/integrators/retired/disable', {});
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabledAt).not.toBeNull();
      const refused = await client(service.baseUrl, key).post('/v1/usage', [usage('from-retired')]);
      expect([refused.status, refused.body.code]).toEqual([403, 'INTEGRATOR.DISABLED']);
      const newKey = await admin.post('/v1/integrators/retired/keys', {});
      expect([newKey.status, newKey.body.code]).toEqual([409, 'INTEGRATOR.DISABLED']);
      const keys = await admin.get<Array<{ keyId: string }>>('/v1/integrators/retired/keys');
      const rotated = await admin.post(
        `/v1/integrators/retired/keys/${keys.body[0]?.keyId}/rotate`,
        {},
      );
      expect([rotated.status, rotated.body.code]).toEqual([409, 'INTEGRATOR.DISABLED']);
      expect((await admin.get<unknown[]>('/v1/integrators/retired/keys')).body).toHaveLength(1);
    });

    it('refuses to rotate a revoked key, issuing no new key', async () => {
      await admin.post('/v1/integrators', {
        integratorId: 'rotator',
        name: 'Rotator',
        source: 'urn:acme:rotator',
        unitIds: null,
      });
      const key = await admin.post<{ keyId: string }>('/v1/integrators/rotator/keys', {});
      expect((await admin.delete(`/v1/integrators/rotator/keys/${key.body.keyId}`)).status).toBe(
        200,
      );
      const rotated = await admin.post(`/v1/integrators/rotator/keys/${key.body.keyId}/rotate`, {});
      expect([rotated.status, rotated.body.code]).toEqual([409, 'INTEGRATOR.KEY_REVOKED']);
      expect((await admin.get<unknown[]>('/v1/integrators/rotator/keys')).body).toHaveLength(1);
    });

    it('refuses text PostgreSQL cannot store (NUL, lone surrogates) with 400, not 500', async () => {
      const base = { integratorId: 'textual', name: 'Textual', source: 'urn:acme:textual' };
      for (const body of [
        { ...base, name: 'bad\u0000name' },
        { ...base, name: 'bad\ud800name' },
        { ...base, source: 'urn:acme:\u0000' },
        { ...base, source: 'urn:acme:\udc00' },
        { ...base, unitIds: ['team\u0000x'] },
      ]) {
        const refused = await admin.post('/v1/integrators', { unitIds: null, ...body });
        expect([refused.status, refused.body.code]).toEqual([400, 'REQUEST.INVALID']);
      }
      const emoji = await admin.post('/v1/integrators', {
        ...base,
        name: 'Textual \ud83d\ude00',
        unitIds: null,
      });
      expect(emoji.status).toBe(201);
      const badKeyName = await admin.post('/v1/integrators/textual/keys', { name: 'k\u0000' });
      expect([badKeyName.status, badKeyName.body.code]).toEqual([400, 'REQUEST.INVALID']);
      const badUnits = await admin.patch('/v1/integrators/textual/units', {
        unitIds: ['\ud800'],
      });
      expect([badUnits.status, badUnits.body.code]).toEqual([400, 'REQUEST.INVALID']);
    });
  });

  it('tells the Kafka path who writes a source: enabled integrators only', async () => {
    const integrators = service.app.get(IntegratorService);
    expect(await integrators.callerForSource(SOURCE)).toEqual({
      integratorId: 'llm-gateway',
      allowedSource: SOURCE,
      allowedUnits: ['team-search'],
    });
    expect(await integrators.callerForSource('urn:nobody')).toBeNull();
    await admin.post('/v1/integrators', {
      integratorId: 'gone',
      name: 'Gone',
      source: 'urn:acme:gone',
      unitIds: null,
    });
    expect(await integrators.callerForSource('urn:acme:gone')).not.toBeNull();
    await admin.post('/v1/integrators/gone/disable', {});
    expect(await integrators.callerForSource('urn:acme:gone')).toBeNull();
  });

  it('documents both batch formats in OpenAPI', async () => {
    const document = (await (await fetch(`${service.baseUrl}/docs-json`)).json()) as {
      paths: Record<
        string,
        { post?: { requestBody?: { content?: Record<string, { examples?: object }> } } }
      >;
    };
    const content = document.paths['/v1/usage']?.post?.requestBody?.content ?? {};
    expect(Object.keys(content).sort()).toEqual([
      'application/cloudevents-batch+json',
      'application/json',
    ]);
    expect(Object.keys(content['application/json']?.examples ?? {})).toContain('jsonArray');
    expect(Object.keys(content['application/cloudevents-batch+json']?.examples ?? {})).toContain(
      'cloudEventsBatch',
    );
  });

  describe('POST /v1/usage', () => {
    it('answers every item of a mixed batch, after the accepted ones are in the ledger', async () => {
      const answer = await integrator.post<BatchAnswer>('/v1/usage', [
        usage('mixed-1'),
        cloudEvent('mixed-2'),
        usage('mixed-1'),
        usage('mixed-3', { inputTokens: '-5' }),
        usage('mixed-4', { unitId: 'team-ads' }),
        cloudEvent('mixed-5', 'urn:someone-else'),
        usage('mixed-6', { unitId: 'team-search', useCase: 'mystery' }),
      ]);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: 4 });
      expect(answer.body.items.map((i) => [i.index, i.status, i.id, i.source])).toEqual([
        [0, 'accepted', 'mixed-1', SOURCE],
        [1, 'accepted', 'mixed-2', SOURCE],
        [2, 'duplicate', 'mixed-1', SOURCE],
        [3, 'rejected', 'mixed-3', SOURCE],
        [4, 'rejected', 'mixed-4', SOURCE],
        [5, 'rejected', 'mixed-5', 'urn:someone-else'],
        [6, 'rejected', 'mixed-6', SOURCE],
      ]);
      const errors = answer.body.items.map((i) => i.error && [i.error.code, i.error.path]);
      expect(errors[3]?.[1]).toBe('[3].inputTokens');
      expect(errors[3]?.[0]).toMatch(/^(QUANTITY|USAGE)\./);
      expect(errors.slice(4)).toEqual([
        ['INGEST.UNIT_OUT_OF_SCOPE', '[4].unitId'],
        ['INGEST.SOURCE_NOT_ALLOWED', '[5].source'],
        ['INGEST.UNKNOWN_USE_CASE', '[6].useCase'],
      ]);
      expect(answer.body.items[2]?.recordedEventId).toBe(answer.body.items[0]?.recordedEventId);
      // Durable when answered: the ledger already holds both accepted events, once each.
      const ids = answer.body.items.slice(0, 2).map((i) => i.recordedEventId ?? '');
      expect(await recordedCount(ids)).toBe(2);
    });

    it('counts an event sent in two requests once', async () => {
      const first = await integrator.post<BatchAnswer>('/v1/usage', [usage('twice-1')]);
      const again = await integrator.post<BatchAnswer>('/v1/usage', [
        usage('twice-1'),
        usage('twice-2'),
      ]);
      expect(first.body.items[0]?.status).toBe('accepted');
      expect(again.body.items.map((i) => i.status)).toEqual(['duplicate', 'accepted']);
      expect(again.body.items[0]?.recordedEventId).toBe(first.body.items[0]?.recordedEventId);
      expect(await recordedCount([first.body.items[0]?.recordedEventId ?? ''])).toBe(1);
      const conflict = await integrator.post<BatchAnswer>('/v1/usage', [
        usage('twice-1', { inputTokens: '9999' }),
      ]);
      expect(conflict.body.items[0]?.error).toMatchObject({
        code: 'INGEST.DUPLICATE_CONFLICT',
        path: '[0].id',
      });
    });

    it('lets an admin key report for any source and unit', async () => {
      const answer = await admin.post<BatchAnswer>('/v1/usage', [
        usage('backfill-1', { source: 'urn:acme:backfill', unitId: 'team-ads' }),
      ]);
      expect(answer.body.items.map((i) => [i.status, i.source])).toEqual([
        ['accepted', 'urn:acme:backfill'],
      ]);
    });

    it('applies a change of units to the next request, and refuses a key linked to no integrator', async () => {
      const before = await integrator.post<BatchAnswer>('/v1/usage', [
        usage('ads-1', { unitId: 'team-ads' }),
      ]);
      expect(before.body.items[0]?.error?.code).toBe('INGEST.UNIT_OUT_OF_SCOPE');
      const patched = await admin.patch('/v1/integrators/llm-gateway/units', {
        unitIds: ['team-search', 'team-ads'],
      });
      expect(patched.body.unitIds).toEqual(['team-search', 'team-ads']);
      const after = await integrator.post<BatchAnswer>('/v1/usage', [
        usage('ads-1', { unitId: 'team-ads' }),
      ]);
      expect(after.body.items[0]?.status).toBe('accepted');
      await admin.patch('/v1/integrators/llm-gateway/units', { unitIds: ['team-search'] });

      const loose = await admin.post<{ key: string }>('/v1/api-keys', {
        name: 'not through /v1/integrators',
        role: 'integrator',
      });
      const refused = await client(service.baseUrl, loose.body.key).post('/v1/usage', [
        usage('loose-1'),
      ]);
      expect([refused.status, refused.body.code]).toEqual([403, 'INTEGRATOR.KEY_UNLINKED']);
    });

    it('takes application/cloudevents-batch+json', async () => {
      const answer = await integrator.post<BatchAnswer>(
        '/v1/usage',
        [cloudEvent('ce-batch-1'), cloudEvent('ce-batch-2')],
        { 'content-type': 'application/cloudevents-batch+json' },
      );
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((i) => i.status)).toEqual(['accepted', 'accepted']);
      // In a CloudEvents batch every element is a CloudEvent: a plain object is invalid.
      const plain = await integrator.post<BatchAnswer>('/v1/usage', [usage('ce-batch-3')], {
        'content-type': 'application/cloudevents-batch+json',
      });
      expect(plain.body.items[0]?.status).toBe('rejected');
      expect(plain.body.items[0]?.error?.code).toMatch(/^CLOUDEVENT\./);
    });

    it('refuses a batch as a whole: empty, not an array, too many items, too many bytes', async () => {
      const empty = await integrator.post('/v1/usage', []);
      expect([empty.status, empty.body.code]).toEqual([400, 'INGEST.BATCH_EMPTY']);
      const object = await integrator.post('/v1/usage', usage('not-array'));
      expect([object.status, object.body.code]).toEqual([400, 'INGEST.BATCH_NOT_ARRAY']);
      const tooMany = await integrator.post(
        '/v1/usage',
        Array.from({ length: 1001 }, (_, i) => ({ id: `n-${i}` })),
      );
      expect([tooMany.status, tooMany.body.code]).toEqual([413, 'INGEST.BATCH_TOO_LARGE']);
      expect(tooMany.body.details).toEqual({ maxItems: 1000, items: 1001 });
      const tooBig = await integrator.post('/v1/usage', [
        usage('big', { model: 'x'.repeat(2 * 1024 * 1024) }),
      ]);
      expect([tooBig.status, tooBig.body.code]).toEqual([413, 'REQUEST.TOO_LARGE']);
      // Nothing of the refused batches was recorded.
      const { rows } = await infrastructure.pool.query(
        `SELECT 1 FROM "${SCHEMA}".dedup WHERE event_id IN ('n-0', 'big', 'not-array')`,
      );
      expect(rows).toEqual([]);
    });
  });

  describe('factor sets', () => {
    it('lists the built-in set, answers 404 for an unknown version and 400 for an invalid set', async () => {
      const list =
        await integrator.get<Array<{ version: string; builtIn: boolean }>>('/v1/factor-sets');
      expect(list.status).toBe(200);
      expect(list.body[0]).toMatchObject({ builtIn: true });
      const one = await admin.get<{ view: { version: string } }>(
        `/v1/factor-sets/${encodeURIComponent(list.body[0]?.version ?? '')}`,
      );
      expect(one.body.view.version).toBe(list.body[0]?.version);
      const missing = await admin.get('/v1/factor-sets/nope-1');
      expect([missing.status, missing.body.code]).toEqual([404, 'FACTORSET.NOT_FOUND']);
      const invalid = await admin.post('/v1/factor-sets', { factorSet: { version: 'bad' } });
      expect([invalid.status, invalid.body.code]).toEqual([400, 'FACTORSET.INVALID']);
      const byIntegrator = await integrator.post('/v1/factor-sets', { factorSet: {} });
      expect(byIntegrator.status).toBe(403);
    });

    it('publishes a corrected set and re-rates the usage of its window as adjustments', async () => {
      const base = await admin.get<{ factorSet: Record<string, unknown> }>(
        `/v1/factor-sets/${DEFAULT_FACTOR_SET_VERSION}`,
      );
      const grid = base.body.factorSet.gridIntensity as Record<string, Record<string, string>>;
      const corrected = {
        ...base.body.factorSet,
        version: 'acme-fr-corrected',
        effectiveFrom: new Date(Date.now() - 60 * 60_000).toISOString(),
        description: 'France twice as carbon-intensive (test)',
        gridIntensity: { ...grid, fr: { ...grid.fr, gramsCo2ePerKwh: '162.6' } },
      };
      const { rows } = await infrastructure.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${SCHEMA}".rated_usage`,
      );
      const published = await admin.post<{
        adjusted: number;
        carbonDeltaMicroGrams: string;
        energyDeltaMicroWh: string;
        factorSet: { version: string };
      }>('/v1/factor-sets', { factorSet: corrected, reason: 'grid correction' });
      expect(published.status).toBe(201);
      expect(published.body.factorSet.version).toBe('acme-fr-corrected');
      expect(published.body.adjusted).toBe(Number(rows[0]?.n));
      expect(published.body.adjusted).toBeGreaterThan(0);
      expect(BigInt(published.body.carbonDeltaMicroGrams)).toBeGreaterThan(0n);
      expect(published.body.energyDeltaMicroWh).toBe('0');
      const adjustments = await infrastructure.pool.query(
        `SELECT 1 FROM "${SCHEMA}".events WHERE event_type = 'UsageAdjusted'`,
      );
      expect(adjustments.rowCount).toBe(published.body.adjusted);
      const again = await admin.post('/v1/factor-sets', { factorSet: corrected });
      expect([again.status, again.body.code]).toEqual([409, 'FACTORSET.VERSION_EXISTS']);
    });
  });
});
