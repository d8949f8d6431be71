// The demo's past: usage for every elapsed UTC day of the month, so the console has curves to
// draw on a first start — burn-down, statements and a journal with totals, a rebound to flag —
// and one refused reservation so the scarcity page is not empty. Usage goes through ingestion's
// HTTP API with the integrator key, as a gateway's would.
//
// Deterministic: the same month and day give the same usage ids and figures, so a resumed seed
// posts them again and ingestion answers `duplicate` (nothing is applied twice). Bounded: one
// usage a day for three departments, and for marketing 1 + ⌊d/3⌋ (≈ 270 items on the 31st).
// Marketing is the rebound: energy per request falls 4 % a day while its volume steps up every
// third day — the last played day being a step, so billing's rebound report for that day (against
// the day before) flags it.
import { reportUsage } from '../simulator/run';
import { ApiClient, errorBody } from './http';

const DAY_MS = 86_400_000;
/** Ingestion refuses usage older than INGEST_MAX_LATENESS_MS (30 days by default): keep clear. */
const LATENESS_MARGIN_MS = 29 * DAY_MS;
/** Usage of "today" is dated at most this long before now (never in the future). */
const NOW_MARGIN_MS = 60_000;
const USAGE_BATCH = 100;
const MODEL = 'meta-llama-3.1-8b-instruct';
const REGION = 'fr';

export const DEMO_REBOUND_UNIT_ID = 'dept-marketing';
/** The department asked for more than it was allocated (refused: QUOTA.EXCEEDED). */
export const DEMO_REFUSED_UNIT_ID = 'dept-customer-care';

/** One usage a day each, in µWh (well within each department's share of the month). */
const STEADY = [
  { unitId: 'dept-customer-care', useCase: 'support-chat', energyMicroWh: 3_500_000_000n },
  { unitId: 'dept-logistics', useCase: 'route-planning', energyMicroWh: 1_600_000_000n },
  { unitId: 'dept-research', useCase: 'doc-summary', energyMicroWh: 2_000_000_000n },
] as const;
const REBOUND = {
  unitId: DEMO_REBOUND_UNIT_ID,
  useCase: 'slide-polish',
  /** Energy per request on the month's first day: 1 kWh. */
  firstEnergyMicroWh: 1_000_000_000n,
  /** Each day, energy per request × 96/100. */
  efficiency: { numerator: 96n, denominator: 100n },
  /** Requests step up by one every this many days. */
  stepDays: 3,
} as const;

/** A type, not an interface: it is posted as a plain JSON record. */
export type DemoUsageItem = {
  readonly id: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly model: string;
  readonly region: string;
  readonly measuredEnergyMicroWh: string;
  readonly occurredAt: string;
};

export interface DemoActivityPlan {
  /** The UTC days played, `YYYY-MM-DD`, oldest first. */
  readonly days: readonly string[];
  readonly items: readonly DemoUsageItem[];
}

/** round(a / b) half up, for non-negative bigints. */
const divRound = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b);

/** Marketing's energy per request on day index `day` (0 = the month's first day). */
export function reboundEnergyPerRequest(day: number): bigint {
  const k = BigInt(day);
  return divRound(
    REBOUND.firstEnergyMicroWh * REBOUND.efficiency.numerator ** k,
    REBOUND.efficiency.denominator ** k,
  );
}

/**
 * The usage of the month up to `now` (pure). Each day's usage is dated at noon UTC, or just before
 * now on the current day; days ingestion would find too old, and a current day not begun long
 * enough, are left out.
 */
export function planDemoActivity(month: string, startsAt: string, now: Date): DemoActivityPlan {
  const first = Date.parse(startsAt);
  const latest = now.getTime() - NOW_MARGIN_MS;
  const days: { index: number; date: string; dayStart: number; at: number }[] = [];
  // Bounded by the month's length (at most 31 days).
  for (let index = 0; index < 31; index += 1) {
    const dayStart = first + index * DAY_MS;
    const date = new Date(dayStart).toISOString().slice(0, 10);
    if (!date.startsWith(month) || dayStart > latest) break;
    const at = Math.min(dayStart + DAY_MS / 2, latest);
    if (at < now.getTime() - LATENESS_MARGIN_MS) continue;
    days.push({ index, date, dayStart, at });
  }
  const last = days.at(-1)?.index ?? 0;
  // Shifted so that the last played day is a step up in volume.
  const shift = (REBOUND.stepDays - (last % REBOUND.stepDays)) % REBOUND.stepDays;
  const items: DemoUsageItem[] = [];
  for (const day of days) {
    let ofDay = 0;
    const usage = (unitId: string, useCase: string, n: number, energy: bigint) => {
      // A second apart, so one day's usage keeps its order; never before the day's start.
      const at = Math.max(day.at - (ofDay + 1) * 1000, day.dayStart);
      ofDay += 1;
      items.push({
        id: `demo-${day.date}-${unitId}-${n}`,
        unitId,
        useCase,
        model: MODEL,
        region: REGION,
        measuredEnergyMicroWh: energy.toString(),
        occurredAt: new Date(at).toISOString(),
      });
    };
    for (const steady of STEADY) usage(steady.unitId, steady.useCase, 0, steady.energyMicroWh);
    const requests = 1 + Math.floor((day.index + shift) / REBOUND.stepDays);
    const energy = reboundEnergyPerRequest(day.index);
    for (let n = 0; n < requests; n += 1) usage(REBOUND.unitId, REBOUND.useCase, n, energy);
  }
  return { days: days.map((day) => day.date), items };
}

export interface DemoActivity {
  /** UTC days with usage, oldest first. */
  readonly days: readonly string[];
  readonly usage: {
    readonly posted: number;
    readonly accepted: number;
    /** Posted by an earlier, interrupted seed: not applied again. */
    readonly duplicates: number;
    readonly energyMicroWh: string;
  };
  readonly reboundUnitId: string;
  readonly refusedReservation: {
    readonly reservationId: string;
    readonly unitId: string;
    readonly amount: string;
    /** QUOTA.EXCEEDED, or what allocation answered instead (noted in the log). */
    readonly code: string;
  };
}

export interface PlayDemoActivityOptions {
  readonly allocation: ApiClient;
  /** Ingestion with the demo integrator's key. */
  readonly gateway: ApiClient;
  readonly budgetId: string;
  readonly month: string;
  readonly startsAt: string;
  readonly now: Date;
  readonly log: (line: string) => void;
}

export async function playDemoActivity(options: PlayDemoActivityOptions): Promise<DemoActivity> {
  const plan = planDemoActivity(options.month, options.startsAt, options.now);
  let accepted = 0;
  let duplicates = 0;
  for (let start = 0; start < plan.items.length; start += USAGE_BATCH) {
    const counts = await reportUsage(options.gateway, plan.items.slice(start, start + USAGE_BATCH));
    accepted += counts.accepted;
    duplicates += counts.duplicates;
  }
  const energy = plan.items.reduce((sum, item) => sum + BigInt(item.measuredEnergyMicroWh), 0n);
  options.log(
    `activity: ${plan.items.length} usage events over ${plan.days.length} day(s) ` +
      `(${accepted} new, ${duplicates} already there), ${DEMO_REBOUND_UNIT_ID} growing`,
  );
  const refusedReservation = await refuseOneReservation(options);
  return {
    days: plan.days,
    usage: {
      posted: plan.items.length,
      accepted,
      duplicates,
      energyMicroWh: energy.toString(),
    },
    reboundUnitId: DEMO_REBOUND_UNIT_ID,
    refusedReservation,
  };
}

/** Asks for more than the unit was allocated: refused (422), so nothing is reserved. */
async function refuseOneReservation(
  options: PlayDemoActivityOptions,
): Promise<DemoActivity['refusedReservation']> {
  const unitId = DEMO_REFUSED_UNIT_ID;
  const balance = await options.allocation.call<{ allocated: string }>(
    `read balance of ${unitId}`,
    'GET',
    `/v1/budgets/${options.budgetId}/units/${unitId}/balance`,
  );
  const amount = (BigInt(balance.allocated) + 1_000_000n).toString();
  const reservationId = `demo-refused-${options.month}`;
  const answer = await options.allocation.send('POST', '/v1/reservations', {
    reservationId,
    unitId,
    amount,
    useCase: 'support-chat',
    timeoutMs: 60_000,
  });
  const { code, message } = errorBody(answer.body);
  if (answer.status >= 200 && answer.status <= 299) {
    // Cannot be granted (more than allocated); should it be, release it rather than hold quota.
    await options.allocation.send('POST', `/v1/reservations/${reservationId}/release`, {});
    throw new Error(`reservation ${reservationId} of ${amount} µWh was granted, not refused`);
  }
  const refusal = code ?? `HTTP ${answer.status}`;
  options.log(
    `activity: reservation ${reservationId} of ${amount} µWh for ${unitId} refused: ` +
      `${refusal}${message === undefined ? '' : ` (${message})`}`,
  );
  return { reservationId, unitId, amount, code: refusal };
}
