// What "nothing lost, nothing applied twice" means for the fault suites, checked against the
// workload's ground truth once the system has had time to settle:
//   - converged: ingestion recorded exactly the usage ids of the truth; allocation debited each
//     unit exactly its energy (every reservation committed, none left reserved); billing charged
//     each unit, each month, exactly its lines and amount; every relay and Kafka consumer group
//     caught up; allocation's projection caught up;
//   - then, strictly: no usage id recorded, debited or charged twice (SQL on the three ledgers),
//     every granted reservation reserved and committed exactly once, no unit with
//     committed + reserved above its allocation, and /v1/admin/ledger/verify ok on all three.
// A failure names the total that differs and by how much.
import { TOPICS, topicName } from '@plafond/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { api } from '../system/http';
import type { FaultSystem } from './fault-system';
import { BUDGET, SOURCE, type GroundTruth } from './workload';

type Json = Record<string, unknown>;

export interface ConvergeOptions {
  /** How long the system may take to settle after the last fault (bounded, never a speed claim). */
  readonly timeoutMs?: number;
}

interface Balance {
  unitId: string;
  allocated: string;
  reserved: string;
  committed: string;
  overrun: string;
  blocked: boolean;
}
interface Statement {
  currencies: { currency: string; totalMicro: string; lines: number }[];
}

const POLL_MS = 500;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const diff = (what: string, actual: bigint | number, expected: bigint | number) =>
  BigInt(actual) === BigInt(expected)
    ? []
    : [
        `${what}: ${actual} instead of ${expected} (${BigInt(actual) > BigInt(expected) ? '+' : ''}${BigInt(actual) - BigInt(expected)})`,
      ];

/** The ids of one set missing from the other, shortened for a message. */
function setDiff(what: string, actual: ReadonlySet<string>, expected: ReadonlySet<string>) {
  const missing = [...expected].filter((id) => !actual.has(id));
  const extra = [...actual].filter((id) => !expected.has(id));
  const show = (ids: string[]) => `${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}`;
  return [
    ...(missing.length > 0 ? [`${what}: ${missing.length} missing (${show(missing)})`] : []),
    ...(extra.length > 0 ? [`${what}: ${extra.length} not in the truth (${show(extra)})`] : []),
  ];
}

/** Ingestion's recorded usage ids (ours: the workload's source). */
async function recordedIds(system: FaultSystem): Promise<string[]> {
  const rows = await system.sql<{ id: string }>(
    `SELECT data->>'reportedId' AS id FROM ingestion.events
      WHERE event_type = 'UsageRecorded' AND data->>'reportedSource' = $1`,
    [SOURCE],
  );
  return rows.map((row) => row.id);
}

/** Everything that must equal the truth once settled; empty when it does. */
async function totalsDiffer(system: FaultSystem, truth: GroundTruth): Promise<string[]> {
  const admin = {
    allocation: api(system.urls.allocation, system.adminKey),
    billing: api(system.urls.billing, system.adminKey),
  };
  const differences: string[] = [];
  const recorded = await recordedIds(system);
  differences.push(...diff('ingestion: usage recorded', recorded.length, truth.usage.size));
  differences.push(
    ...setDiff('ingestion: usage ids recorded', new Set(recorded), new Set(truth.usage.keys())),
  );

  const balances = await admin.allocation.get<{ units: Balance[] }>(
    `/v1/budgets/${BUDGET}/balances`,
  );
  if (balances.status !== 200) return [`allocation balances: ${balances.status} ${balances.text}`];
  const byUnit = new Map(balances.body.units.map((unit) => [unit.unitId, unit]));
  for (const [unitId, energy] of truth.energyByUnit()) {
    const balance = byUnit.get(unitId);
    if (balance === undefined) {
      differences.push(`allocation: no balance for ${unitId}`);
      continue;
    }
    differences.push(
      ...diff(`allocation: ${unitId} committed (µWh)`, BigInt(balance.committed), energy),
    );
    differences.push(
      ...diff(`allocation: ${unitId} still reserved (µWh)`, BigInt(balance.reserved), 0n),
    );
  }

  for (const [month, units] of truth.chargesByMonth()) {
    for (const [unitId, expected] of units) {
      const answer = await admin.billing.get<Statement>(
        `/v1/units/${unitId}/statement?period=${month}`,
      );
      if (answer.status !== 200) {
        differences.push(
          `billing: statement of ${unitId} ${month}: ${answer.status} ${answer.text}`,
        );
        continue;
      }
      const eur = answer.body.currencies.find((currency) => currency.currency === 'EUR');
      differences.push(
        ...diff(`billing: ${unitId} ${month} charge lines`, eur?.lines ?? 0, expected.lines),
      );
      differences.push(
        ...diff(
          `billing: ${unitId} ${month} charged (µEUR)`,
          BigInt(eur?.totalMicro ?? '0'),
          expected.amountMicro,
        ),
      );
    }
  }
  if (differences.length > 0) return differences;
  return [...(await relaysBehind(system)), ...(await consumerLag(system))];
}

/** Each service's relay has published its whole ledger; allocation's projection is caught up. */
async function relaysBehind(system: FaultSystem): Promise<string[]> {
  const behind: string[] = [];
  for (const service of ['allocation', 'ingestion', 'billing'] as const) {
    const answer = await api(system.urls[service], system.adminKey).get<{
      relay?: { lag?: { eventsBehind?: number } };
    }>('/v1/admin/messaging');
    const eventsBehind = answer.body.relay?.lag?.eventsBehind;
    if (answer.status !== 200 || eventsBehind !== 0)
      behind.push(`${service}: relay ${answer.status} eventsBehind ${String(eventsBehind)}`);
  }
  const projections = await api(system.urls.allocation, system.adminKey).get<
    { name: string; lag: string | null }[]
  >('/v1/admin/projections');
  if (projections.status !== 200) behind.push(`allocation projections: ${projections.status}`);
  else
    for (const projection of projections.body)
      if (projection.lag !== '0')
        behind.push(`allocation: projection ${projection.name} lag ${projection.lag}`);
  return behind;
}

/** Every consumer group of the system has committed up to the end of its topic. */
async function consumerLag(system: FaultSystem): Promise<string[]> {
  const prefix = system.topicPrefix;
  const groups: [string, string][] = [
    [`${prefix}ingestion.usage-raw`, topicName(TOPICS.usageRaw, prefix)],
    [`${prefix}ingestion.allocation`, topicName(TOPICS.allocationEvents, prefix)],
    [`${prefix}allocation.usage`, topicName(TOPICS.usageRecorded, prefix)],
    [`${prefix}billing.usage`, topicName(TOPICS.usageRecorded, prefix)],
    [`${prefix}billing.allocation`, topicName(TOPICS.allocationEvents, prefix)],
  ];
  const admin = new Kafka({
    clientId: `${prefix}fault-checks`,
    brokers: [...system.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const lagging: string[] = [];
    for (const [groupId, topic] of groups) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends) {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        // -1: nothing committed, fine only for a partition that never held a record.
        const position = at === '-1' ? BigInt(end.low) : BigInt(at);
        if (position < BigInt(end.high))
          lagging.push(
            `${groupId} on ${topic}[${end.partition}]: ${BigInt(end.high) - position} behind`,
          );
      }
    }
    return lagging;
  } finally {
    await admin.disconnect();
  }
}

/** Counts of ids seen more than once in a ledger, as messages. */
async function twice(system: FaultSystem, what: string, query: string, params: unknown[] = []) {
  const rows = await system.sql<{ id: string; n: number }>(query, params);
  return rows.map((row) => `${what}: ${row.id} ${row.n} times`);
}

/**
 * Waits (bounded) until every total equals the truth and every consumer caught up, then checks
 * the strict invariants. Throws with the differences otherwise.
 */
export async function expectConverged(
  system: FaultSystem,
  truth: GroundTruth,
  options: ConvergeOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let differences: string[] = ['not checked yet'];
  while (differences.length > 0) {
    try {
      differences = await totalsDiffer(system, truth);
    } catch (error) {
      differences = [`checking failed: ${error instanceof Error ? error.message : String(error)}`];
    }
    if (differences.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(
        `not converged within ${timeoutMs} ms (truth: ${truth.usage.size} usage, ` +
          `${truth.reservations.size} reservations):\n  ${differences.join('\n  ')}`,
      );
    await pause(POLL_MS);
  }

  const violations: string[] = [];
  violations.push(
    ...(await twice(
      system,
      'ingestion: usage recorded',
      `SELECT data->>'reportedId' AS id, count(*)::int AS n FROM ingestion.events
        WHERE event_type = 'UsageRecorded' AND data->>'reportedSource' = $1
        GROUP BY 1 HAVING count(*) > 1`,
      [SOURCE],
    )),
    ...(await twice(
      system,
      'allocation: usage debited',
      `SELECT data->>'usageId' AS id, count(*)::int AS n FROM allocation.events
        WHERE data ? 'usageId' GROUP BY 1 HAVING count(*) > 1`,
    )),
    ...(await twice(
      system,
      'billing: usage charged',
      `SELECT data->>'usageId' AS id, count(*)::int AS n FROM billing.events
        WHERE event_type = 'UsageCharged' GROUP BY 1 HAVING count(*) > 1`,
    )),
  );
  for (const type of ['QuotaReserved', 'ReservationCommitted']) {
    const rows = await system.sql<{ id: string; n: number }>(
      `SELECT data->>'reservationId' AS id, count(*)::int AS n FROM allocation.events
        WHERE event_type = $1 GROUP BY 1`,
      [type],
    );
    violations.push(
      ...rows
        .filter((row) => row.n > 1)
        .map((row) => `allocation: ${type} ${row.id} ${row.n} times`),
      ...setDiff(
        `allocation: ${type} reservations`,
        new Set(rows.map((row) => row.id)),
        new Set(truth.reservations.keys()),
      ),
    );
  }
  // Charged from exactly the recorded usage, no more (a charge of a usage recorded twice under
  // two ids would pass the per-id checks above).
  const [charged] = await system.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM billing.events WHERE event_type = 'UsageCharged'`,
  );
  violations.push(...diff('billing: UsageCharged events', charged?.n ?? 0, truth.usage.size));

  const balances = await api(system.urls.allocation, system.adminKey).get<{ units: Balance[] }>(
    `/v1/budgets/${BUDGET}/balances`,
  );
  for (const unit of balances.body.units) {
    const used = BigInt(unit.committed) + BigInt(unit.reserved);
    if (used > BigInt(unit.allocated) || unit.overrun !== '0' || unit.blocked)
      violations.push(
        `allocation: ${unit.unitId} over its allocation: committed ${unit.committed} + reserved ` +
          `${unit.reserved} > ${unit.allocated} (overrun ${unit.overrun}, blocked ${unit.blocked})`,
      );
  }
  for (const service of ['allocation', 'ingestion', 'billing'] as const) {
    const verified = await api(system.urls[service], system.adminKey).get<Json>(
      '/v1/admin/ledger/verify',
    );
    if (verified.status !== 200 || verified.body.ok !== true)
      violations.push(`${service}: ledger verify ${verified.status} ${verified.text}`);
  }
  for (const service of ['allocation', 'billing'] as const) {
    const replay = await api(system.urls[service], system.adminKey).get<Json>('/v1/admin/replay');
    if (replay.status !== 200 || replay.body.match !== true)
      violations.push(
        `${service}: replay does not match its live projection: ${replay.text.slice(0, 500)}`,
      );
  }
  if (violations.length > 0)
    throw new Error(`converged totals, but invariants broken:\n  ${violations.join('\n  ')}`);
}
