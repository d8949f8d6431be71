import { USAGE_REPORTED_V1_TYPE, validateUsageReportedV1 } from '@plafond/contracts';
import {
  DEFAULT_FACTOR_SET_JSON,
  DEFAULT_FACTOR_SET_VERSION,
  convert,
  parseFactorSet,
  type FactorSet,
} from '../domain/conversion';
import { FACTOR_SET_ERROR, IngestionError } from './errors';
import type { IncomingUsage } from './usage-pipeline';
import {
  ADMIN,
  CALLER,
  SOURCE,
  createIngestionTestKit,
  type IngestionTestKit,
} from './testing/ingestion-test-kit';

const usage = (id: string, data: Record<string, unknown>): IncomingUsage => ({
  format: 'cloudevent',
  event: {
    specversion: '1.0',
    id,
    source: SOURCE,
    type: USAGE_REPORTED_V1_TYPE,
    data: { unitId: 'team-search', useCase: 'support-chat', ...data },
  },
});

/** Usage of February (inside the correction's window) and one of March (outside). */
const FEBRUARY: IncomingUsage[] = [
  usage('feb-tokens', {
    model: 'mixtral-8x22b-instruct-v0.1',
    region: 'fr',
    outputTokens: 4321,
    occurredAt: '2026-02-20T10:00:00Z',
  }),
  usage('feb-gpu', {
    accelerator: 'nvidia-h100',
    gpuMs: 123457,
    region: 'us',
    occurredAt: '2026-02-25T10:00:00Z',
  }),
  usage('feb-measured', {
    measuredEnergyMicroWh: '987654',
    region: 'fr',
    occurredAt: '2026-02-26T10:00:00Z',
  }),
  usage('feb-fallback', {
    model: 'gpt-4o',
    outputTokens: 77,
    occurredAt: '2026-02-28T23:59:59.999Z',
  }),
];
const MARCH = usage('mar-1', {
  model: 'gpt-4o',
  outputTokens: 77,
  occurredAt: '2026-03-01T00:00:00Z',
});

const correction = (version: string, pue: string, fr: string) => ({
  ...DEFAULT_FACTOR_SET_JSON,
  version,
  effectiveFrom: '2026-02-15T00:00:00Z',
  effectiveTo: '2026-03-01T00:00:00Z',
  description: `Correction of February: PUE ${pue}, France ${fr} g/kWh`,
  pue: { value: pue, source: 'test' },
  gridIntensity: {
    ...DEFAULT_FACTOR_SET_JSON.gridIntensity,
    fr: { gramsCo2ePerKwh: fr, source: 'test' },
  },
});

function parsed(json: unknown): FactorSet {
  const result = parseFactorSet(json);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

function expectedUnder(set: FactorSet, item: IncomingUsage) {
  const reported = validateUsageReportedV1((item as { event: { data: unknown } }).event.data);
  if (!reported.ok) throw new Error('fixture');
  const result = convert(reported.value, set);
  if (!result.ok) throw new Error('fixture');
  return result.value;
}

async function errorOf(promise: Promise<unknown>): Promise<IngestionError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IngestionError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('FactorSetService (PostgreSQL)', () => {
  let kit: IngestionTestKit;

  beforeAll(async () => {
    kit = await createIngestionTestKit('ingest-factor-sets', { instances: 2 });
  });
  afterAll(async () => {
    await kit.close();
  });

  it('starts with the default set, built in', async () => {
    expect(await kit.app.factorSets.list()).toEqual([
      expect.objectContaining({
        version: DEFAULT_FACTOR_SET_VERSION,
        builtIn: true,
        publishedAt: null,
      }),
    ]);
    expect((await kit.app.factorSets.get(DEFAULT_FACTOR_SET_VERSION)).factorSet.version).toBe(
      DEFAULT_FACTOR_SET_VERSION,
    );
    expect((await errorOf(kit.app.factorSets.get('nope'))).code).toBe(FACTOR_SET_ERROR.notFound);
  });

  it('refuses an invalid set with every issue, and an existing version', async () => {
    const invalid = await errorOf(
      kit.app.factorSets.publish(ADMIN, {
        ...correction('bad', '0.9', '50'),
        effectiveTo: '2026-01-01T00:00:00Z',
      }),
    );
    expect(invalid.code).toBe(FACTOR_SET_ERROR.invalid);
    expect((invalid.details.issues as { code: string }[]).map((issue) => issue.code)).toEqual(
      expect.arrayContaining(['FACTORSET.PUE_BELOW_ONE', 'FACTORSET.WINDOW_EMPTY']),
    );
    const exists = await errorOf(kit.app.factorSets.publish(ADMIN, DEFAULT_FACTOR_SET_JSON));
    expect(exists.code).toBe(FACTOR_SET_ERROR.versionExists);
    expect(await kit.eventsOfType('FactorSetPublished')).toHaveLength(0);
  });

  it('re-rates the recorded usage of a corrected window with deltas summing to the exact difference', async () => {
    const results = await kit.app.pipeline.ingest([...FEBRUARY, MARCH], CALLER, 'http');
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    const recordedBefore = await kit.eventsOfType('UsageRecorded');

    const fix1 = correction('plafond-default-2026.1-fix1', '1.35', '52.7');
    const publication = await kit.app.factorSets.publish(ADMIN, fix1);
    expect(publication.adjusted).toBe(4);
    const adjustments = await kit.eventsOfType('UsageAdjusted');
    expect(adjustments.map((e) => e.data.reportedId).sort()).toEqual([
      'feb-fallback',
      'feb-gpu',
      'feb-measured',
      'feb-tokens',
    ]);
    // Σ deltas = Σ under the new set − Σ recorded, exactly; and per usage too.
    const newSet = parsed(fix1);
    let energyNew = 0n;
    let carbonNew = 0n;
    let energyOld = 0n;
    let carbonOld = 0n;
    for (const item of FEBRUARY) {
      const id = (item as { event: { id: string } }).event.id;
      const recorded = recordedBefore.find((e) => e.data.reportedId === id);
      const adjusted = adjustments.find((e) => e.data.reportedId === id);
      const expected = expectedUnder(newSet, item);
      energyNew += expected.energyMicroWh;
      carbonNew += expected.carbonMicroGrams;
      energyOld += BigInt(recorded?.data.energyMicroWh ?? 'x');
      carbonOld += BigInt(recorded?.data.carbonMicroGrams ?? 'x');
      expect(
        BigInt(recorded?.data.energyMicroWh ?? 'x') +
          BigInt(adjusted?.data.energyDeltaMicroWh ?? 'x'),
      ).toBe(expected.energyMicroWh);
      expect(adjusted?.data).toMatchObject({
        fromFactorSetVersion: DEFAULT_FACTOR_SET_VERSION,
        toFactorSetVersion: 'plafond-default-2026.1-fix1',
        recordedEventId: recorded?.eventId,
      });
      expect(adjusted?.metadata.partitionKey).toBe('team-search');
    }
    expect(BigInt(publication.energyDeltaMicroWh)).toBe(energyNew - energyOld);
    expect(BigInt(publication.carbonDeltaMicroGrams)).toBe(carbonNew - carbonOld);
    expect(energyNew - energyOld).not.toBe(0n);
    // Measured energy stays; only its carbon moves.
    const measured = adjustments.find((e) => e.data.reportedId === 'feb-measured');
    expect(measured?.data).toMatchObject({ method: 'measured', energyDeltaMicroWh: '0' });
    expect(measured?.data.carbonDeltaMicroGrams).not.toBe('0');
    // Recorded events are untouched.
    expect(await kit.eventsOfType('UsageRecorded')).toEqual(recordedBefore);
    expect((await kit.app.store.verify()).ok).toBe(true);
    expect((await kit.app.factorSets.list()).map((set) => set.version)).toEqual([
      DEFAULT_FACTOR_SET_VERSION,
      'plafond-default-2026.1-fix1',
    ]);

    // New usage of the window is rated by the correction; outside it, by the default.
    const [late] = await kit.instances[1]!.pipeline.ingest(
      [usage('feb-new', { outputTokens: 5, occurredAt: '2026-02-16T00:00:00Z' })],
      CALLER,
      'kafka',
    );
    expect(late?.status).toBe('accepted');
    const recordedAfter = await kit.eventsOfType('UsageRecorded');
    expect(recordedAfter.find((e) => e.data.reportedId === 'feb-new')?.data.factorSetVersion).toBe(
      'plafond-default-2026.1-fix1',
    );

    // A second correction re-rates from the values as they stand: recorded + Σ deltas = latest.
    const fix2 = correction('plafond-default-2026.1-fix2', '1.1', '60');
    expect((await kit.app.factorSets.publish(ADMIN, fix2)).adjusted).toBe(5);
    const all = await kit.eventsOfType('UsageAdjusted');
    for (const item of FEBRUARY) {
      const id = (item as { event: { id: string } }).event.id;
      const recorded = recordedAfter.find((e) => e.data.reportedId === id);
      const deltas = all
        .filter((e) => e.data.reportedId === id)
        .reduce((sum, e) => sum + BigInt(e.data.carbonDeltaMicroGrams), 0n);
      expect(BigInt(recorded?.data.carbonMicroGrams ?? 'x') + deltas).toBe(
        expectedUnder(parsed(fix2), item).carbonMicroGrams,
      );
    }
    expect(all.some((e) => e.data.reportedId === 'mar-1')).toBe(false);
  });

  it('refuses a publication whose window holds too much usage, writing nothing', async () => {
    const small = await createIngestionTestKit('ingest-rerate-bound', {
      settings: { rerateMaxEvents: 3 },
    });
    try {
      await small.app.pipeline.ingest(FEBRUARY, CALLER, 'http');
      const before = await small.events();
      const refused = await errorOf(
        small.app.factorSets.publish(ADMIN, correction('too-big', '1.3', '50')),
      );
      expect(refused).toMatchObject({
        code: FACTOR_SET_ERROR.rerateTooLarge,
        details: { limit: 3 },
      });
      expect(await small.events()).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it('refuses a set that cannot convert recorded usage, unless told to keep those values', async () => {
    const other = await createIngestionTestKit('ingest-rerate-failures');
    try {
      await other.app.pipeline.ingest(FEBRUARY, CALLER, 'http');
      const noDefault = {
        ...correction('no-default-model', '1.3', '50'),
        defaults: { region: 'world', accelerator: 'nvidia-a100-sxm' },
      };
      const refused = await errorOf(other.app.factorSets.publish(ADMIN, noDefault));
      expect(refused.code).toBe(FACTOR_SET_ERROR.rerateFailed);
      expect(await other.eventsOfType('FactorSetPublished')).toHaveLength(0);
      const forced = await other.app.factorSets.publish(ADMIN, noDefault, {
        allowRerateFailures: true,
      });
      expect(forced.failures.map((f) => [f.reportedId, f.error.code])).toEqual([
        ['feb-fallback', 'CONVERSION.MODEL_UNKNOWN'],
      ]);
      expect(forced.adjusted).toBe(3);
    } finally {
      await other.close();
    }
  });

  it('rates every usage of the window by the new set when publication and ingestion race', async () => {
    const race = await createIngestionTestKit('ingest-rerate-race', { instances: 2 });
    try {
      const items = Array.from({ length: 30 }, (_, i) =>
        usage(`race-${i}`, { outputTokens: 100 + i, occurredAt: '2026-02-20T00:00:00Z' }),
      );
      const [, publication] = await Promise.all([
        race.app.pipeline.ingest(items, CALLER, 'http'),
        race.instances[1]!.factorSets.publish(ADMIN, correction('race-fix', '1.4', '50')),
      ]);
      const recorded = await race.eventsOfType('UsageRecorded');
      const adjusted = await race.eventsOfType('UsageAdjusted');
      expect(recorded).toHaveLength(30);
      for (const event of recorded) {
        const rerated = adjusted.some((a) => a.data.reportedId === event.data.reportedId);
        expect(event.data.factorSetVersion === 'race-fix' || rerated).toBe(true);
      }
      expect(publication.adjusted).toBe(adjusted.length);
    } finally {
      await race.close();
    }
  });
});
