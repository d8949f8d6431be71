// Review (R1): bad data must never jam a partition, and a transient failure must never be
// dead-lettered. Real PostgreSQL: the errors classified are the ones the database really raises.
import { LedgerConcurrencyError, LedgerInvalidEventError } from '@plafond/ledger';
import { randomBytes } from 'node:crypto';
import {
  createBillingTestKit,
  rejectionOf,
  usageIdOf,
  usageRecorded,
  type BillingTestKit,
} from '../application/testing/billing-test-kit';
import { isPermanentAllocationFailure } from './allocation-events.consumer';
import { isPermanentUsageFailure } from './usage-recorded.consumer';

jest.setTimeout(60_000);

describe('billing consumers on bad data (review)', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_consumers_review' });
  });
  afterAll(async () => kit?.close());

  const permanent = (error: unknown) => [
    isPermanentAllocationFailure(error),
    isPermanentUsageFailure(error),
  ];

  it('dead-letters (does not retry for ever) a unit name with a NUL character', async () => {
    const error = await rejectionOf(
      kit.allocation({
        name: 'UnitCreated',
        data: { unitId: 'team-nul', parentId: null, name: 'bad\u0000name' },
      }),
    );
    expect(permanent(error)).toEqual([true, true]);
  });

  it('dead-letters a unit id too long for an index entry', async () => {
    const unitId = randomBytes(12_000).toString('base64');
    const error = await rejectionOf(
      kit.allocation({ name: 'UnitCreated', data: { unitId, parentId: null, name: 'x' } }),
    );
    expect(permanent(error)).toEqual([true, true]);
  });

  it('dead-letters an overrun whose budget id the ledger refuses (NUL)', async () => {
    const error = await rejectionOf(
      kit.recordOverrun({
        usageId: '/plafond/ingestion#u-1',
        unitId: 'team-a',
        budgetId: 'b\u0000',
        usageAmount: '10',
        overrunAmount: '1',
        overrunAfter: '1',
        allocated: '9',
      }),
    );
    expect(error).toBeInstanceOf(LedgerInvalidEventError);
    expect(permanent(error)).toEqual([true, true]);
  });

  it('retries (never dead-letters) concurrency errors and deadlocks', () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const lost = new LedgerConcurrencyError('usage-x', 1n, 2n);
    const connection = Object.assign(new Error('connection terminated'), { code: '57P01' });
    for (const error of [deadlock, lost, connection])
      expect(permanent(error)).toEqual([false, false]);
  });

  it('retries (never dead-letters) a usage whose unit or use case billing does not know yet', async () => {
    const error = await rejectionOf(
      kit.recordUsage(
        usageIdOf('ahead-of-directory'),
        usageRecorded({ unitId: 'team-unheard', useCase: 'unheard' }),
      ),
    );
    expect(error).toMatchObject({ code: 'BILLING.DIRECTORY_BEHIND' });
    expect(isPermanentUsageFailure(error)).toBe(false);
  });
  // That a dead letter whose headers or error hold NUL or unpaired surrogates is stored: the
  // shared store's tests, libs/platform/src/kafka/dead-letters/dead-letters.int-spec.ts.
});
