import {
  DEMO_REBOUND_UNIT_ID,
  planDemoActivity,
  reboundEnergyPerRequest,
} from '../../scripts/demo/activity';
import { demoMonth } from '../../scripts/demo/seed';

const DAY_MS = 86_400_000;

function planAt(iso: string) {
  const now = new Date(iso);
  const { month, startsAt } = demoMonth(now);
  return { now, plan: planDemoActivity(month, startsAt, now) };
}

/** Per day: marketing's requests and energy. */
function reboundByDay(items: ReturnType<typeof planDemoActivity>['items']) {
  const days = new Map<string, { requests: number; energy: bigint }>();
  for (const item of items.filter((candidate) => candidate.unitId === DEMO_REBOUND_UNIT_ID)) {
    const day = item.occurredAt.slice(0, 10);
    const entry = days.get(day) ?? { requests: 0, energy: 0n };
    entry.requests += 1;
    entry.energy += BigInt(item.measuredEnergyMicroWh);
    days.set(day, entry);
  }
  return [...days.values()];
}

describe('demo activity plan (the month so far)', () => {
  it('plays every elapsed day of the month, dated in its day and never after now', () => {
    const { now, plan } = planAt('2026-11-29T17:20:00Z');
    expect(plan.days).toHaveLength(29);
    expect(plan.days[0]).toBe('2026-11-01');
    expect(plan.days.at(-1)).toBe('2026-11-29');
    for (const item of plan.items) {
      const at = Date.parse(item.occurredAt);
      expect(at).toBeLessThan(now.getTime());
      expect(plan.days).toContain(item.occurredAt.slice(0, 10));
      expect(item.id.startsWith(`demo-${item.occurredAt.slice(0, 10)}-${item.unitId}-`)).toBe(true);
    }
    expect(new Set(plan.items.map((item) => item.id)).size).toBe(plan.items.length);
  });

  it('is deterministic: the same instant plans the same usage (a resumed seed posts duplicates)', () => {
    const first = planAt('2026-11-29T17:20:00Z').plan;
    const later = planAt('2026-11-29T17:25:00Z').plan;
    expect(later).toEqual(first);
  });

  it('stays small: at most ~300 usage events, even at the end of a 31-day month', () => {
    const { plan } = planAt('2026-12-31T23:59:00Z');
    expect(plan.items.length).toBeLessThanOrEqual(300);
    // Ingestion refuses usage older than 30 days: the seed keeps within 29, so the 1st and
    // the 2nd (noon, 29.5 days before) are left out.
    expect(plan.days[0]).toBe('2026-12-03');
    expect(plan.days).toHaveLength(29);
    for (const item of plan.items) {
      expect(Date.parse('2026-12-31T23:59:00Z') - Date.parse(item.occurredAt)).toBeLessThan(
        30 * DAY_MS,
      );
    }
  });

  it('plays nothing in the first minute of a month, and the first day alone after that', () => {
    expect(planAt('2026-11-01T00:00:30Z').plan).toEqual({ days: [], items: [] });
    const { plan } = planAt('2026-11-01T00:10:00Z');
    expect(plan.days).toEqual(['2026-11-01']);
    for (const item of plan.items) expect(item.occurredAt.startsWith('2026-11-01T00:0')).toBe(true);
  });

  it('makes marketing a rebound: less energy per request, more requests and energy on the last day', () => {
    for (const now of ['2026-11-29T17:20:00Z', '2026-11-30T08:00:00Z', '2026-12-31T20:00:00Z']) {
      const days = reboundByDay(planAt(now).plan.items);
      const last = days.at(-1);
      const before = days.at(-2);
      if (last === undefined || before === undefined) throw new Error('two days expected');
      expect({ now, more: last.requests > before.requests }).toEqual({ now, more: true });
      // per request: last.energy / last.requests < before.energy / before.requests
      expect(last.energy * BigInt(before.requests)).toBeLessThan(
        before.energy * BigInt(last.requests),
      );
      expect(last.energy).toBeGreaterThan(before.energy);
    }
    expect(reboundEnergyPerRequest(0)).toBe(1_000_000_000n);
    expect(reboundEnergyPerRequest(1)).toBe(960_000_000n);
    expect(reboundEnergyPerRequest(2)).toBe(921_600_000n);
  });
});
