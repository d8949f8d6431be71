// Charging on real PostgreSQL: exact usage lines and their journal entries, overrun surcharges
// in either arrival order, re-rating notes, redelivery, and unknown usage.
import { projectionDigest, rebuildProjection } from '@plafond/ledger';
import { BillingError } from '../domain/errors';
import { BOOKS_PROJECTION } from '../read/books.projection';
import { DirectoryBehindError } from './directory-behind.error';
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

jest.setTimeout(60_000);

// EUR 85 / t CO2e, EUR 0.02 / kWh, discretionary × 1.5, essential × 0.5, others × 1; overrun tiers
// +25 % from 0 % of the allocation, +100 % from 50 %.
const SCHEDULE = scheduleInput({
  carbonPricePerTonne: '85',
  energyPricePerKwh: '0.02',
  classMultipliers: { discretionary: '1.5', essential: '0.5' },
  overrunTiers: [
    { fromPercentOfAllocation: '0', surchargePercent: '25' },
    { fromPercentOfAllocation: '50', surchargePercent: '100' },
  ],
});

// u1: 1 234 567 µg and 3 kWh of discretionary chat:
//   carbon 1 234 567 × 85 000 000 / 10^12 = 104.938195 µEUR; energy 3 × 20 000 = 60 000 µEUR;
//   (60 104.938195) × 1.5 = 90 157.4072925 → 90 157 µEUR.
const U1 = usageRecorded({
  unitId: 'team-a',
  useCase: 'chat',
  model: 'gpt-x',
  requests: 3n,
  energyMicroWh: 3_000_000_000n,
  carbonMicroGrams: 1_234_567n,
  occurredAt: '2026-11-03T10:00:00.000Z',
  reportedId: 'r-1',
});
// Overrun of a usage debited D = 1000 on a budget with L = 1000, overrun 700 after it, O = 400:
// [300, 700) = 200 in tier 0 (+25 %) and 200 in tier 1 (+100 %), weight 250 000 000 / (1000 × 10^6)
// = 0.25 → 90 157.4072925 × 0.25 = 22 539.351823125 → 22 539 µEUR.
const overrun = (usageId: string, budgetId = 'b-nov') => ({
  usageId,
  unitId: 'team-a',
  budgetId,
  usageAmount: '1000',
  overrunAmount: '400',
  overrunAfter: '700',
  allocated: '1000',
});

describe('UsageCharging', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_charging' });
    await kit.organisation({
      units: [{ unitId: 'team-a' }, { unitId: 'team-b' }],
      useCases: [
        { useCase: 'chat', className: 'discretionary' },
        { useCase: 'triage', className: 'essential' },
        // A class the schedule has no multiplier for: the schedule's default applies.
        { useCase: 'batch', className: 'bulk' },
      ],
    });
    await kit.schedules.publish(SCHEDULE, FINANCE);
  });
  afterAll(async () => kit?.close());

  const lines = (usageId: string) =>
    kit.query<Record<string, string | null>>(
      `SELECT line_id, kind, billing_period, service_period, adjusts_invoice, amount_micro::text AS amount,
              energy_micro_wh::text AS energy, carbon_micro_g::text AS carbon, requests::text AS requests,
              currency, cost_centre, usefulness_class, model, schedule_version::text AS version,
              multiplier_ppm::text AS multiplier, budget_id
         FROM billing.charge_lines WHERE usage_id = $1 ORDER BY global_position`,
      [usageId],
    );
  const journal = (lineId: string) =>
    kit.query<Record<string, string>>(
      `SELECT side, account, cost_centre, debit_micro::text AS debit, credit_micro::text AS credit,
              currency, entry_date::text AS date, reference, billing_period
         FROM billing.journal_lines WHERE entry_id = $1 ORDER BY side DESC`,
      [lineId],
    );

  it('charges a usage exactly, with a balanced journal entry', async () => {
    const usageId = usageIdOf('rec-1');
    expect(await kit.recordUsage(usageId, U1)).toBe('charged');
    const [line] = await lines(usageId);
    expect(line).toMatchObject({
      kind: 'usage',
      amount: '90157',
      billing_period: '2026-11',
      service_period: '2026-11',
      adjusts_invoice: null,
      energy: '3000000000',
      carbon: '1234567',
      requests: '3',
      currency: 'EUR',
      cost_centre: 'team-a',
      usefulness_class: 'discretionary',
      model: 'gpt-x',
      version: '1',
      multiplier: '1500000',
    });
    expect(await journal(line!.line_id!)).toEqual([
      {
        side: 'debit',
        account: '6980-AI-CARBON',
        cost_centre: 'team-a',
        debit: '90157',
        credit: '0',
        currency: 'EUR',
        date: '2026-11-15',
        reference: `usage ${usageId}`,
        billing_period: '2026-11',
      },
      {
        side: 'credit',
        account: '4890-CARBON-FUND',
        cost_centre: '',
        debit: '0',
        credit: '90157',
        currency: 'EUR',
        date: '2026-11-15',
        reference: `usage ${usageId}`,
        billing_period: '2026-11',
      },
    ]);
    const [event] = await kit.eventsOfType('UsageCharged');
    expect(event?.metadata).toMatchObject({ partitionKey: 'team-a' });
    expect(event?.eventId).toBe(line!.line_id);
  });

  it('rounds half away from zero once per line and prices by class', async () => {
    // essential × 0.5: 2 g × 85 / 10^6 = 170 µEUR → 85; class bulk, absent from the schedule,
    // takes its default × 1: 0.1 g → 8.5 µEUR → 9.
    await kit.recordUsage(
      usageIdOf('rec-2'),
      usageRecorded({
        unitId: 'team-b',
        useCase: 'triage',
        carbonMicroGrams: 2_000_000n,
        reportedId: 'r-2',
      }),
    );
    await kit.recordUsage(
      usageIdOf('rec-3'),
      usageRecorded({
        unitId: 'team-b',
        useCase: 'batch',
        carbonMicroGrams: 100_000n,
        reportedId: 'r-3',
      }),
    );
    expect((await lines(usageIdOf('rec-2')))[0]).toMatchObject({
      amount: '85',
      multiplier: '500000',
    });
    expect((await lines(usageIdOf('rec-3')))[0]).toMatchObject({
      amount: '9',
      multiplier: '1000000',
      usefulness_class: 'bulk',
    });
  });

  it('gives the same surcharge whether the overrun comes after or before the usage', async () => {
    const after = usageIdOf('rec-after');
    const before = usageIdOf('rec-before');
    expect(await kit.recordUsage(after, { ...U1, reportedId: 'r-after' })).toBe('charged');
    expect(await kit.recordOverrun(overrun(after))).toBe('charged');
    expect(await kit.recordOverrun(overrun(before))).toBe('noted');
    expect(await kit.rows('pending_overruns', 'usage_id')).toHaveLength(1);
    expect(await kit.recordUsage(before, { ...U1, reportedId: 'r-before' })).toBe('charged');
    expect(await kit.rows('pending_overruns', 'usage_id')).toHaveLength(0);
    for (const usageId of [after, before]) {
      const [usage, surcharge] = await lines(usageId);
      expect(usage).toMatchObject({ kind: 'usage', amount: '90157' });
      expect(surcharge).toMatchObject({
        kind: 'surcharge',
        amount: '22539',
        budget_id: 'b-nov',
        energy: '0',
        carbon: '0',
        requests: '0',
        billing_period: '2026-11',
      });
      expect(await journal(surcharge!.line_id!)).toMatchObject([
        { side: 'debit', debit: '22539', reference: `surcharge ${usageId}` },
        { side: 'credit', credit: '22539' },
      ]);
    }
    const surcharges = await kit.eventsOfType('OverrunSurchargeCharged');
    expect(surcharges.map((e) => e.data.tiers)).toEqual([
      [
        { overrun: '200', surchargePpm: '250000' },
        { overrun: '200', surchargePpm: '1000000' },
      ],
      [
        { overrun: '200', surchargePpm: '250000' },
        { overrun: '200', surchargePpm: '1000000' },
      ],
    ]);
  });

  it('turns a re-rating into a credit note at the original price', async () => {
    // after: 1 g and 2 kWh: (85 + 40 000) × 1.5 = 60 127.5; − 90 157.4072925 = −30 029.9072925
    // → −30 030 µEUR, a credit note.
    const usageId = usageIdOf('rec-1');
    const adjustment = usageAdjusted('rec-1', U1, {
      energyMicroWh: 2_000_000_000n,
      carbonMicroGrams: 1_000_000n,
    });
    expect(await kit.adjustUsage('/plafond/ingestion#adj-1', adjustment)).toBe('charged');
    const [, note] = await lines(usageId);
    expect(note).toMatchObject({
      kind: 'credit_note',
      amount: '-30030',
      energy: '-1000000000',
      carbon: '-234567',
      requests: '0',
      version: '1',
      multiplier: '1500000',
      billing_period: '2026-11',
    });
    expect(await journal(note!.line_id!)).toMatchObject([
      { side: 'debit', account: '4890-CARBON-FUND', cost_centre: '', debit: '30030' },
      { side: 'credit', account: '6980-AI-CARBON', cost_centre: 'team-a', credit: '30030' },
    ]);
    const [fact] = await kit.query<{ energy: string; carbon: string }>(
      `SELECT energy_micro_wh::text AS energy, carbon_micro_g::text AS carbon
         FROM billing.usage_facts WHERE usage_id = $1`,
      [usageId],
    );
    expect(fact).toEqual({ energy: '2000000000', carbon: '1000000' });
    // Back up to 3 kWh, 1 234 567 µg: +30 029.9072925 → a debit note of 30 030.
    expect(
      await kit.adjustUsage(
        '/plafond/ingestion#adj-2',
        usageAdjusted('rec-1', U1, U1, {
          before: { energyMicroWh: 2_000_000_000n, carbonMicroGrams: 1_000_000n },
        }),
      ),
    ).toBe('charged');
    expect((await lines(usageId))[2]).toMatchObject({ kind: 'debit_note', amount: '30030' });
  });

  it('charges nothing twice when a message is delivered again', async () => {
    const before = await kit.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM billing.charge_lines',
    );
    const eventsBefore = (await kit.events()).length;
    expect(await kit.recordUsage(usageIdOf('rec-1'), U1)).toBe('duplicate');
    expect(
      await kit.adjustUsage(
        '/plafond/ingestion#adj-1',
        usageAdjusted('rec-1', U1, { energyMicroWh: 2_000_000_000n, carbonMicroGrams: 1_000_000n }),
      ),
    ).toBe('duplicate');
    expect(await kit.recordOverrun(overrun(usageIdOf('rec-after')))).toBe('duplicate');
    expect(await kit.recordOverrun(overrun(usageIdOf('rec-before')))).toBe('duplicate');
    expect(await kit.query('SELECT count(*)::int AS count FROM billing.charge_lines')).toEqual(
      before,
    );
    expect(await kit.events()).toHaveLength(eventsBefore);
  });

  it('records a usage and its overrun once when they race each other and themselves', async () => {
    for (let round = 0; round < 5; round += 1) {
      const usageId = usageIdOf(`race-${round}`);
      const usage = { ...U1, reportedId: `race-${round}` };
      const outcomes = await Promise.all([
        kit.recordUsage(usageId, usage),
        kit.recordUsage(usageId, usage),
        kit.recordOverrun(overrun(usageId, 'b-race')),
        kit.recordOverrun(overrun(usageId, 'b-race')),
      ]);
      expect(outcomes.slice(0, 2).sort()).toEqual(['charged', 'duplicate']);
      expect(outcomes.slice(2).filter((o) => o === 'duplicate')).toHaveLength(1);
      expect((await lines(usageId)).map((l) => [l.kind, l.amount])).toEqual([
        ['usage', '90157'],
        ['surcharge', '22539'],
      ]);
    }
  });

  it('refuses an adjustment of a usage it never recorded, as permanent', async () => {
    const error = await rejectionOf(
      kit.adjustUsage(
        '/plafond/ingestion#adj-x',
        usageAdjusted('rec-unknown', U1, { energyMicroWh: 1n, carbonMicroGrams: 1n }),
      ),
    );
    expect(error.code).toBe('BILLING.UNKNOWN_USAGE');
  });

  it('refuses usage until the directory knows its use case and its unit up to the root', async () => {
    // team-new is known, its parent dept-new (which holds the profile) and the use case not yet:
    // charging now would take the default profile and multiplier.
    await kit.organisation({ units: [{ unitId: 'team-new', parentId: 'dept-new' }] });
    await kit.profiles.set('dept-new', { currency: 'EUR', costCentre: 'CC-NEW' }, FINANCE);
    const usageId = usageIdOf('rec-early');
    const usage = usageRecorded({
      unitId: 'team-new',
      useCase: 'triage-new',
      carbonMicroGrams: 2_000_000n,
      reportedId: 'r-early',
    });
    const first = await rejectionOf(kit.recordUsage(usageId, usage));
    expect(first).toBeInstanceOf(DirectoryBehindError);
    expect(first).not.toBeInstanceOf(BillingError);
    expect(first).toMatchObject({
      code: 'BILLING.DIRECTORY_BEHIND',
      details: { usageId, unknownUnitIds: ['dept-new'], unknownUseCase: 'triage-new' },
    });
    await kit.organisation({ useCases: [{ useCase: 'triage-new', className: 'essential' }] });
    expect(await rejectionOf(kit.recordUsage(usageId, usage))).toMatchObject({
      details: { unknownUnitIds: ['dept-new'], unknownUseCase: null },
    });
    // Nothing was booked by the refused attempts.
    expect((await kit.charging.usageState(usageId)).version).toBe(0n);
    expect(await lines(usageId)).toEqual([]);

    await kit.organisation({ units: [{ unitId: 'dept-new' }] });
    expect(await kit.recordUsage(usageId, usage)).toBe('charged');
    expect(await kit.recordUsage(usageId, usage)).toBe('duplicate');
    // essential × 0.5: 2 g × 85 / 10^6 = 170 µEUR → 85, at dept-new's cost centre.
    expect(await lines(usageId)).toEqual([
      expect.objectContaining({
        kind: 'usage',
        amount: '85',
        multiplier: '500000',
        usefulness_class: 'essential',
        currency: 'EUR',
        cost_centre: 'CC-NEW',
      }),
    ]);
  });

  it('keeps the journal balanced per currency and equal to the lines', async () => {
    const [totals] = await kit.query<{ debit: string; credit: string; lines: string }>(
      `SELECT (SELECT sum(debit_micro)::text FROM billing.journal_lines) AS debit,
              (SELECT sum(credit_micro)::text FROM billing.journal_lines) AS credit,
              (SELECT sum(amount_micro)::text FROM billing.charge_lines) AS lines`,
    );
    expect(totals!.debit).toBe(totals!.credit);
    // 90 157 + 85 + 9 + 7 × (90 157 + 22 539) − 30 030 + 30 030 (2 + 5 raced usages) + 85
    expect(totals!.lines).toBe(String(90_157 + 85 + 9 + 7 * (90_157 + 22_539) + 85));
    expect(await kit.store.verify()).toMatchObject({ ok: true });
  });
  it('leaves books equal to a rebuild from the ledger', async () => {
    const live = await projectionDigest(BOOKS_PROJECTION, { store: kit.store, schema: 'billing' });
    const rebuilt = await rebuildProjection(BOOKS_PROJECTION, {
      store: kit.store,
      intoSchema: 'billing_rebuilt_charging',
    });
    expect(rebuilt.digest.rowCounts).toEqual(live.rowCounts);
    expect(rebuilt.digest.digest).toBe(live.digest);
    await kit.query('DROP SCHEMA billing_rebuilt_charging CASCADE');
  });

  it('charges several usages in one transaction as it would one by one (a consumer chunk)', async () => {
    const ids = ['chunk-1', 'chunk-2', 'chunk-3'].map((id) => usageIdOf(id));
    // Schedules and booking are read once for the transaction; each line is still exact.
    const outcomes = await kit.transaction(async (tx) => {
      const results: string[] = [];
      for (const [n, usageId] of ids.entries())
        results.push(
          await kit.charging.recordUsage(tx, usageId, { ...U1, reportedId: `r-chunk-${n}` }),
        );
      results.push(await kit.charging.recordUsage(tx, ids[0]!, { ...U1, reportedId: 'r-chunk-0' }));
      return results;
    });
    expect(outcomes).toEqual(['charged', 'charged', 'charged', 'duplicate']);
    for (const usageId of ids)
      expect((await lines(usageId)).map((line) => line.amount)).toEqual(['90157']);
  });
});
