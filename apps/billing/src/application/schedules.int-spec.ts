// Price schedules on real PostgreSQL: publication rules, held usage priced by the publication
// that covers it (with its pending surcharge and its re-rated quantities), versions never
// re-pricing booked lines, and a publication racing charges.
import { projectionDigest, rebuildProjection } from '@plafond/ledger';
import { BOOKS_PROJECTION } from '../read/books.projection';
import {
  createBillingTestKit,
  FINANCE,
  rejectionOf,
  scheduleInput,
  usageAdjusted,
  usageIdOf,
  usageRecorded,
  type BillingTestKit,
} from './testing/billing-test-kit';

jest.setTimeout(120_000);

const gram = 1_000_000n;

describe('PriceSchedules', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_schedules' });
    // eu-team has no profile on its chain: the default currency (EUR), cost centre = unit id.
    await kit.organisation({
      units: [{ unitId: 'acme' }, { unitId: 'us-team', parentId: 'acme' }, { unitId: 'eu-team' }],
      useCases: [{ useCase: 'chat', className: 'useful' }],
    });
    await kit.profiles.set('acme', { currency: 'USD', costCentre: 'US-100' }, FINANCE);
  });
  afterAll(async () => kit?.close());

  const line = async (usageId: string) =>
    kit.query<Record<string, string | null>>(
      `SELECT kind, amount_micro::text AS amount, currency, cost_centre, schedule_version::text AS version,
              energy_micro_wh::text AS energy, carbon_micro_g::text AS carbon
         FROM billing.charge_lines WHERE usage_id = $1 ORDER BY global_position`,
      [usageId],
    );
  const fact = async (usageId: string) =>
    (
      await kit.query<Record<string, string | null>>(
        `SELECT status, currency, carbon_micro_g::text AS carbon FROM billing.usage_facts WHERE usage_id = $1`,
        [usageId],
      )
    )[0];

  it('publishes versions 1..n and reports every validation problem at once', async () => {
    const { schedule, pricedHeldUsage } = await kit.schedules.publish(
      scheduleInput({ carbonPricePerTonne: '85.5', reason: 'board decision' }),
      FINANCE,
    );
    expect(pricedHeldUsage).toBe(0);
    expect(schedule).toEqual({
      currency: 'EUR',
      version: 1,
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      carbonPricePerTonneMicro: '85500000',
      energyPricePerKwhMicro: null,
      classMultipliersPpm: {},
      defaultMultiplierPpm: '1000000',
      overrunTiers: [],
      reason: 'board decision',
    });
    const [event] = await kit.store.readStream('price-schedule-EUR');
    expect(event?.metadata).toMatchObject({ partitionKey: 'EUR', actor: FINANCE.actor });
    const invalid = await rejectionOf(
      kit.schedules.publish({ currency: 'eur', carbonPricePerTonne: '-1', colour: 'red' }, FINANCE),
    );
    expect(invalid.code).toBe('BILLING.INVALID_SCHEDULE');
    const paths = (invalid.details.issues as { path: string }[]).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['currency', 'carbonPricePerTonne', 'colour', 'effectiveFrom']),
    );
  });

  it('refuses a version not after the latest one', async () => {
    const error = await rejectionOf(kit.schedules.publish(scheduleInput(), FINANCE));
    expect(error).toMatchObject({ code: 'BILLING.SCHEDULE_NOT_AFTER_LATEST', status: 409 });
  });

  it('holds usage no schedule prices, and prices it when a version covers it', async () => {
    const held = usageIdOf('held-1');
    const early = usageIdOf('held-early');
    const recorded = usageRecorded({
      unitId: 'us-team',
      carbonMicroGrams: 4n * gram,
      occurredAt: '2026-11-05T10:00:00.000Z',
      reportedId: 'held-1',
    });
    expect(await kit.recordUsage(held, recorded)).toBe('unpriced');
    expect(
      await kit.recordUsage(
        early,
        usageRecorded({
          unitId: 'us-team',
          carbonMicroGrams: gram,
          occurredAt: '2026-10-20T10:00:00.000Z',
          reportedId: 'held-early',
        }),
      ),
    ).toBe('unpriced');
    expect(await fact(held)).toEqual({ status: 'unpriced', currency: 'USD', carbon: '4000000' });
    const [heldEvent] = await kit.eventsOfType('UsageHeldUnpriced');
    expect(heldEvent?.data).toMatchObject({
      currency: 'USD',
      reasonCode: 'BILLING.NO_PRICE_SCHEDULE',
    });
    // Re-rated while held: 4 g → 6 g, still held.
    expect(
      await kit.adjustUsage(
        '/plafond/ingestion#adj-held',
        usageAdjusted('held-1', recorded, { energyMicroWh: 0n, carbonMicroGrams: 6n * gram }),
      ),
    ).toBe('held');
    expect(await fact(held)).toMatchObject({ status: 'unpriced', carbon: '6000000' });
    // An overrun of the held usage waits with it (L = 0: all 100 in the one tier).
    expect(
      await kit.recordOverrun({
        usageId: held,
        unitId: 'us-team',
        budgetId: 'b-1',
        usageAmount: '100',
        overrunAmount: '100',
        overrunAfter: '100',
        allocated: '0',
      }),
    ).toBe('noted');
    expect(await line(held)).toEqual([]);

    // USD 50 / t from November, +10 % beyond the allocation: 6 g × 50 = 300 µUSD; surcharge
    // 300 × 100 × 100 000 / (100 × 10^6) = 30 µUSD. The October usage stays held.
    const { schedule, pricedHeldUsage } = await kit.schedules.publish(
      scheduleInput({
        currency: 'USD',
        effectiveFrom: '2026-11-01T00:00:00Z',
        carbonPricePerTonne: '50',
        overrunTiers: [{ fromPercentOfAllocation: '0', surchargePercent: '10' }],
      }),
      FINANCE,
    );
    expect(schedule.version).toBe(1);
    expect(pricedHeldUsage).toBe(1);
    expect(await line(held)).toEqual([
      {
        kind: 'usage',
        amount: '300',
        currency: 'USD',
        cost_centre: 'US-100',
        version: '1',
        energy: '0',
        carbon: '6000000',
      },
      {
        kind: 'surcharge',
        amount: '30',
        currency: 'USD',
        cost_centre: 'US-100',
        version: '1',
        energy: '0',
        carbon: '0',
      },
    ]);
    expect(await fact(held)).toMatchObject({ status: 'charged' });
    expect(await fact(early)).toMatchObject({ status: 'unpriced' });
    expect(await kit.rows('pending_overruns', 'usage_id')).toEqual([]);
    const charged = (await kit.eventsOfType('UsageCharged')).find((e) => e.data.usageId === held);
    expect(charged?.metadata.actor).toBe(FINANCE.actor);
  });

  it('never re-prices a booked line: a new version covers usage from its effectiveFrom', async () => {
    const first = usageIdOf('eur-1');
    const second = usageIdOf('eur-2');
    await kit.recordUsage(
      first,
      usageRecorded({
        unitId: 'eu-team',
        carbonMicroGrams: gram,
        occurredAt: '2026-11-10T00:00:00.000Z',
        reportedId: 'eur-1',
      }),
    );
    await kit.schedules.publish(
      scheduleInput({ effectiveFrom: '2026-11-20T00:00:00Z', carbonPricePerTonne: '200' }),
      FINANCE,
    );
    await kit.recordUsage(
      second,
      usageRecorded({
        unitId: 'eu-team',
        carbonMicroGrams: gram,
        occurredAt: '2026-11-25T00:00:00.000Z',
        reportedId: 'eur-2',
      }),
    );
    // 1 g × 85.5 = 85.5 → 86 (v1); 1 g × 200 = 200 (v2).
    expect(await line(first)).toMatchObject([{ amount: '86', version: '1' }]);
    expect(await line(second)).toMatchObject([{ amount: '200', version: '2' }]);
    expect((await kit.schedules.list('EUR')).map((s) => s.version)).toEqual([1, 2]);
    expect((await kit.schedules.list()).map((s) => `${s.currency}-${s.version}`)).toEqual([
      'EUR-1',
      'EUR-2',
      'USD-1',
    ]);
    expect((await kit.schedules.get('EUR', 2)).carbonPricePerTonneMicro).toBe('200000000');
    expect((await kit.schedules.effectiveAt('EUR', new Date('2026-11-19T23:59:59Z'))).version).toBe(
      1,
    );
    expect((await kit.schedules.effectiveAt('EUR', new Date('2026-11-20T00:00:00Z'))).version).toBe(
      2,
    );
    expect((await rejectionOf(kit.schedules.get('EUR', 3))).code).toBe(
      'BILLING.SCHEDULE_NOT_FOUND',
    );
    expect(
      (await rejectionOf(kit.schedules.effectiveAt('USD', new Date('2026-10-01T00:00:00Z')))).code,
    ).toBe('BILLING.SCHEDULE_NOT_FOUND');
  });

  it('prices usage older than every version with a version starting before the earliest', async () => {
    // The October USD usage (1 g) predates USD v1 (November): held, so October cannot close…
    expect((await rejectionOf(kit.periods.close('2026-10', FINANCE))).code).toBe(
      'BILLING.PERIOD_HAS_UNPRICED_USAGE',
    );
    // …a version between existing ones is refused…
    expect(
      (
        await rejectionOf(
          kit.schedules.publish(
            scheduleInput({ currency: 'USD', effectiveFrom: '2026-11-01T00:00:00Z' }),
            FINANCE,
          ),
        )
      ).code,
    ).toBe('BILLING.SCHEDULE_NOT_AFTER_LATEST');
    // …one before the earliest is in force until November and prices it: 1 g × 40 = 40 µUSD.
    const backward = await kit.schedules.publish(
      scheduleInput({
        currency: 'USD',
        effectiveFrom: '2026-10-01T00:00:00Z',
        carbonPricePerTonne: '40',
      }),
      FINANCE,
    );
    expect(backward).toMatchObject({ schedule: { version: 2 }, pricedHeldUsage: 1 });
    expect(await line(usageIdOf('held-early'))).toMatchObject([
      { kind: 'usage', amount: '40', currency: 'USD', version: '2' },
    ]);
    // November usage keeps version 1's price: the backward version ends where v1 starts.
    expect((await kit.schedules.effectiveAt('USD', new Date('2026-11-01T00:00:00Z'))).version).toBe(
      1,
    );
    expect((await kit.schedules.effectiveAt('USD', new Date('2026-10-31T23:59:59Z'))).version).toBe(
      2,
    );
  });

  it('refuses a version starting before the end of the latest closed period', async () => {
    await kit.schedules.publish(
      scheduleInput({ currency: 'GBP', effectiveFrom: '2026-09-01T00:00:00Z' }),
      FINANCE,
    );
    await kit.periods.close('2026-10', FINANCE);
    const error = await rejectionOf(
      kit.schedules.publish(
        scheduleInput({ currency: 'GBP', effectiveFrom: '2026-10-20T00:00:00Z' }),
        FINANCE,
      ),
    );
    expect(error).toMatchObject({ code: 'BILLING.SCHEDULE_IN_CLOSED_PERIOD', status: 409 });
    const { schedule } = await kit.schedules.publish(
      scheduleInput({ currency: 'GBP', effectiveFrom: '2026-11-01T00:00:00Z' }),
      FINANCE,
    );
    expect(schedule.version).toBe(2);
  });

  it('leaves no usage held when a publication races the charges it covers', async () => {
    await kit.organisation({ units: [{ unitId: 'ch-team' }] });
    await kit.profiles.set('ch-team', { currency: 'CHF', costCentre: 'CH-1' }, FINANCE);
    const racing = Array.from({ length: 40 }, (_, index) =>
      new Promise((resolve) => setTimeout(resolve, index)).then(() =>
        kit.recordUsage(
          usageIdOf(`chf-${index}`),
          usageRecorded({
            unitId: 'ch-team',
            carbonMicroGrams: gram,
            occurredAt: '2026-11-14T00:00:00.000Z',
            reportedId: `chf-${index}`,
          }),
        ),
      ),
    );
    const publication = new Promise((resolve) => setTimeout(resolve, 15)).then(() =>
      kit.schedules.publish(
        scheduleInput({ currency: 'CHF', effectiveFrom: '2026-11-01T00:00:00Z' }),
        FINANCE,
      ),
    );
    const outcomes = await Promise.all(racing);
    const { pricedHeldUsage } = await publication;
    expect(outcomes.filter((o) => o === 'unpriced')).toHaveLength(pricedHeldUsage);
    const [counts] = await kit.query<{ charged: number; unpriced: number; lines: number }>(
      `SELECT count(*) FILTER (WHERE status = 'charged')::int AS charged,
              count(*) FILTER (WHERE status = 'unpriced')::int AS unpriced,
              (SELECT count(*)::int FROM billing.charge_lines WHERE currency = 'CHF') AS lines
         FROM billing.usage_facts WHERE currency = 'CHF'`,
    );
    expect(counts).toEqual({ charged: 40, unpriced: 0, lines: 40 });
  });
  it('leaves books equal to a rebuild from the ledger', async () => {
    const live = await projectionDigest(BOOKS_PROJECTION, { store: kit.store, schema: 'billing' });
    const rebuilt = await rebuildProjection(BOOKS_PROJECTION, {
      store: kit.store,
      intoSchema: 'billing_rebuilt_schedules',
    });
    expect(rebuilt.digest.rowCounts).toEqual(live.rowCounts);
    expect(rebuilt.digest.digest).toBe(live.digest);
    await kit.query('DROP SCHEMA billing_rebuilt_schedules CASCADE');
  });
});
