// Review (R1): a note or surcharge on a usage line that was itself billed late must reference
// the invoice that holds that line, not the service period's invoice (which never contained it).
import {
  createBillingTestKit,
  FINANCE,
  scheduleInput,
  usageAdjusted,
  usageIdOf,
  usageRecorded,
  type BillingTestKit,
} from './testing/billing-test-kit';

jest.setTimeout(60_000);

// EUR 100 / t, multiplier 1, +100 % surcharge on every overrun: 1 g CO2e = 100 µEUR.
const gram = 1_000_000n;

describe('notes on late usage (review)', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_charging_review' });
    await kit.organisation({
      units: [{ unitId: 'team-a' }],
      useCases: [{ useCase: 'chat', className: 'useful' }],
    });
    await kit.schedules.publish(
      scheduleInput({
        overrunTiers: [{ fromPercentOfAllocation: '0', surchargePercent: '100' }],
      }),
      FINANCE,
    );
  });
  afterAll(async () => kit?.close());

  const lineOf = (usageId: string, kind: string) =>
    kit
      .query<{ billing_period: string; adjusts_invoice: string | null; amount: string }>(
        `SELECT billing_period, adjusts_invoice, amount_micro::text AS amount
           FROM billing.charge_lines WHERE usage_id = $1 AND kind = $2`,
        [usageId, kind],
      )
      .then((rows) => rows[0]);

  it('references the invoice holding the adjusted line', async () => {
    // On time in October: on INV-2026-10-0001.
    const onTime = usageRecorded({
      unitId: 'team-a',
      carbonMicroGrams: gram,
      occurredAt: '2026-10-02T08:00:00.000Z',
      reportedId: 'on-time',
    });
    await kit.recordUsage(usageIdOf('on-time'), onTime);
    kit.clock.set('2026-11-05T09:00:00.000Z');
    await kit.periods.close('2026-10', FINANCE);

    // October usage arriving in November: billed on the November invoice, adjusting October's.
    const late = usageRecorded({
      unitId: 'team-a',
      carbonMicroGrams: 4n * gram,
      occurredAt: '2026-10-20T08:00:00.000Z',
      reportedId: 'late',
    });
    await kit.recordUsage(usageIdOf('late'), late);
    expect(await lineOf(usageIdOf('late'), 'usage')).toEqual({
      billing_period: '2026-11',
      adjusts_invoice: 'INV-2026-10-0001',
      amount: '400',
    });
    kit.clock.set('2026-12-03T09:00:00.000Z');
    const { invoices } = await kit.periods.close('2026-11', FINANCE);
    expect(invoices.map((i) => [i.invoiceNumber, i.totalMicro])).toEqual([
      ['INV-2026-11-0001', '400'],
    ]);

    // December: the late line is re-rated and surcharged. Both correct the line billed on
    // INV-2026-11-0001; INV-2026-10-0001 never contained it.
    expect(
      await kit.adjustUsage(
        'urn:test#adj-late',
        usageAdjusted('late', late, { energyMicroWh: 0n, carbonMicroGrams: 3n * gram }),
      ),
    ).toBe('charged');
    expect(await lineOf(usageIdOf('late'), 'credit_note')).toEqual({
      billing_period: '2026-12',
      adjusts_invoice: 'INV-2026-11-0001',
      amount: '-100',
    });
    expect(
      await kit.recordOverrun({
        usageId: usageIdOf('late'),
        unitId: 'team-a',
        budgetId: 'b-1',
        usageAmount: '10',
        overrunAmount: '10',
        overrunAfter: '10',
        allocated: '0',
      }),
    ).toBe('charged');
    expect(await lineOf(usageIdOf('late'), 'surcharge')).toEqual({
      billing_period: '2026-12',
      adjusts_invoice: 'INV-2026-11-0001',
      amount: '400',
    });

    // A note on the on-time line still references October's invoice.
    await kit.adjustUsage(
      'urn:test#adj-on-time',
      usageAdjusted('on-time', onTime, { energyMicroWh: 0n, carbonMicroGrams: 2n * gram }),
    );
    expect(await lineOf(usageIdOf('on-time'), 'debit_note')).toEqual({
      billing_period: '2026-12',
      adjusts_invoice: 'INV-2026-10-0001',
      amount: '100',
    });
  });
});
