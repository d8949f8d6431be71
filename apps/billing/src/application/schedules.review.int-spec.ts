// Review (R1): a publication racing a close must not start in the period being closed. The
// check "effectiveFrom ≥ end of the latest closed period" read the periods table while the close
// was still in flight: both committed, and late usage of the closed month got the new price.
import { lockPeriods } from './streams';
import {
  createBillingTestKit,
  FINANCE,
  rejectionOf,
  scheduleInput,
  SCHEMA,
  type BillingTestKit,
} from './testing/billing-test-kit';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('publication racing a close (review)', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_schedules_review' });
    await kit.schedules.publish(scheduleInput(), FINANCE);
    kit.clock.set('2026-11-15T12:00:00.000Z');
  });
  afterAll(async () => kit?.close());

  it('refuses a version starting in a period whose close is in flight', async () => {
    // A charger holds October shared: the close waits for it, in flight.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const charger = kit.store.transaction(async (tx) => {
      await lockPeriods(tx.sql, SCHEMA, ['2026-10'], 'shared');
      locked();
      await gate;
    });
    await holding;
    const close = kit.periods.close('2026-10', FINANCE);
    await sleep(300);
    const publish = kit.schedules.publish(
      scheduleInput({ effectiveFrom: '2026-10-15T00:00:00Z', carbonPricePerTonne: '300' }),
      FINANCE,
    );
    const publication = rejectionOf(publish);
    await sleep(300);
    release();
    await charger;
    await close;
    expect((await publication).code).toBe('BILLING.SCHEDULE_IN_CLOSED_PERIOD');
    expect((await kit.schedules.list('EUR')).map((s) => s.version)).toEqual([1]);
  });
});
