// Test-only: the sequence the read-side tests share. An organisation acme → (sales, rnd → (ml,
// web)), an energy budget for March 2026 allocated statically, then reservations, commits, a
// direct usage with an overrun (web is blocked), a transfer that covers it, and a second budget
// whose id holds ':' (parsing of account stream ids). Expected figures are worked out by hand in
// the comments.
import type { Pool } from 'pg';
import type { PostgresEventStore } from '@plafond/ledger';
import type { AllocationPolicy } from '../../domain/criteria';
import { AllocationWorkload } from './allocation-workload';
import { clockPast } from './read-test-kit';

export const ENERGY = 'energy-2026-03';
export const CARBON = 'carbon:2026-03';
export const ADMIN = { actor: 'admin:ak_admin01', correlationId: 'corr-setup' };
export const SERVICE = { actor: 'service:ak_svc0001', correlationId: 'corr-usage' };
export const TRANSFER_REASON = 'cover the web overrun';

const staticPolicy = (
  members: { childId: string; amount: bigint }[],
  contingencyBasisPoints?: number,
): AllocationPolicy => ({
  ...(contingencyBasisPoints === undefined
    ? {}
    : { contingency: { basisPoints: contingencyBasisPoints } }),
  rule: { kind: 'static', members },
});

export interface MarchScenario {
  workload: AllocationWorkload;
  /** After phase 1: the last position and the recorded-at of that moment. */
  phase1: { position: bigint; at: Date };
}

/**
 * Phase 1 (figures at its end, own accounts of ENERGY):
 *   acme  allocated 200 000 (100 000 contingency + 100 000 left by the static rule)
 *   sales allocated 300 000, committed 10 000 (direct usage)
 *   rnd   allocated 0 (its children get everything)
 *   ml    allocated 300 000, committed 40 000 (reserved 50 000, committed 40 000)
 *   web   allocated 200 000, reserved 20 000 (pending r-web-1)
 * Phase 2:
 *   web   usage 250 000 > available 180 000 → committed 250 000, overrun 70 000, blocked
 *   transfer 100 000 sales → web (unblocks web), then r-web-1 released
 *   final: sales allocated 200 000, committed 10 000, available 190 000
 *          web allocated 300 000, committed 250 000, overrun 70 000, available 120 000
 *   unit `ops` created under acme after the allocation (no account); root `other` outside.
 */
export async function runMarchScenario(
  store: PostgresEventStore,
  pool: Pool,
): Promise<MarchScenario> {
  const workload = new AllocationWorkload(store);
  await workload.createUnit('acme', null, 'Acme', ADMIN);
  await workload.createUnit('sales', 'acme', 'Sales', ADMIN);
  await workload.createUnit('rnd', 'acme', 'R&D', ADMIN);
  await workload.createUnit('ml', 'rnd', 'Machine learning', ADMIN);
  await workload.createUnit('web', 'rnd', 'Web', { ...ADMIN, reason: 'new product team' });
  await workload.openBudget(
    {
      budgetId: ENERGY,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 1_000_000n,
    },
    ADMIN,
  );
  await workload.allocate(
    ENERGY,
    'round-1',
    {
      acme: staticPolicy(
        [
          { childId: 'sales', amount: 300_000n },
          { childId: 'rnd', amount: 500_000n },
        ],
        1_000,
      ),
      rnd: staticPolicy([
        { childId: 'ml', amount: 300_000n },
        { childId: 'web', amount: 200_000n },
      ]),
    },
    1_000_000n,
    ADMIN,
  );
  await workload.reserve(ENERGY, 'ml', 'r-ml-1', 50_000n, SERVICE);
  await workload.commit(ENERGY, 'ml', 'r-ml-1', 40_000n, SERVICE);
  await workload.reserve(ENERGY, 'web', 'r-web-1', 20_000n, SERVICE);
  await workload.usage(ENERGY, 'sales', 'u-sales-1', 10_000n, SERVICE);

  const { rows } = await pool.query<{ at: Date }>(
    `SELECT max(recorded_at) AS at FROM allocation.events`,
  );
  const phase1 = { position: workload.lastPosition, at: rows[0]?.at as Date };
  await clockPast(pool, phase1.at);

  await workload.usage(ENERGY, 'web', 'u-web-1', 250_000n, SERVICE);
  await workload.transfer(ENERGY, 'tr-1', 'sales', 'web', 100_000n, {
    actor: 'unit_manager:ak_mgr0001',
    correlationId: 'corr-transfer',
    reason: TRANSFER_REASON,
  });
  await workload.release(ENERGY, 'web', 'r-web-1', SERVICE);
  await workload.createUnit('ops', 'acme', 'Operations', ADMIN);
  await workload.createUnit('other', null, 'Other company', ADMIN);

  // A second budget on the rnd subtree, whose id contains ':'.
  await workload.openBudget(
    {
      budgetId: CARBON,
      perimeterUnitId: 'rnd',
      dimension: 'carbon',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 5_000n,
    },
    ADMIN,
  );
  await workload.allocate(
    CARBON,
    'carbon-round-1',
    {
      rnd: staticPolicy([
        { childId: 'ml', amount: 3_000n },
        { childId: 'web', amount: 2_000n },
      ]),
    },
    5_000n,
    ADMIN,
  );
  await workload.usage(CARBON, 'web', 'u-web-carbon-1', 500n, SERVICE);
  return { workload, phase1 };
}
