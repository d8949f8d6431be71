// The demo seed and the traffic simulator against the production topology: allocation, ingestion
// and billing as three built processes on one PostgreSQL database (a schema each) and the real
// Kafka broker (one topic prefix for the three, so they hear each other), over real HTTP.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { TOPIC_CATALOG } from '@plafond/contracts';
import { provisionTopics } from '@plafond/platform';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  TestDatabase,
  uniqueTopicPrefix,
  waitFor,
} from '@plafond/testing';
import { seedDemo, type DemoSeed } from '../../scripts/demo/seed';
import { chooseWindows } from '../../scripts/simulator/plan';
import type { SimulationReport } from '../../scripts/simulator/run';
import {
  baseEnvironment,
  builtFile,
  killIfRunning,
  RunningProcess,
  repositoryRoot,
  runToCompletion,
  SERVICE_NAMES,
  serviceEntryPoint,
  startProcess,
  type ServiceName,
} from './processes';

const PHASES = 3;
const adminKey = `plf_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

let database: TestDatabase;
const running: RunningProcess[] = [];
const urls = {} as Record<ServiceName, string>;

/** The built simulator with arguments; bounded, its whole output kept. */
function simulate(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [builtFile('dist/scripts/simulate.js'), ...args],
      {
        cwd: repositoryRoot,
        env: { ...baseEnvironment(), ADMIN_API_KEY: adminKey },
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  database = await createTestDatabase('e2e-simulate');
  const migrate = await runToCompletion(
    builtFile('dist/scripts/migrate.js'),
    { ...baseEnvironment(), DATABASE_URL: database.url },
    60_000,
  );
  expect({ code: migrate.code, stderr: migrate.code === 0 ? [] : migrate.stderr }).toEqual({
    code: 0,
    stderr: [],
  });
  const prefix = uniqueTopicPrefix('e2e-sim');
  // Idempotent; a busy broker sometimes answers a create late ("appeared while being created").
  await waitFor(
    async () => (await provisionTopics(kafkaBrokers(), TOPIC_CATALOG, { prefix }), true),
    { timeoutMs: 60_000, intervalMs: 1000, description: 'the topics to be provisioned' },
  );
  for (const service of SERVICE_NAMES) {
    const port = await freePort();
    urls[service] = `http://127.0.0.1:${port}`;
    running.push(
      startProcess(serviceEntryPoint(service), {
        ...baseEnvironment(),
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        // Consumer groups are named after the client id, not the topic prefix: a default id would
        // share its groups with any other run on the broker, which then takes our partitions.
        KAFKA_CLIENT_ID: `${prefix}${service}`,
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: 'warn',
      }),
    );
  }
  for (const [index, service] of SERVICE_NAMES.entries()) {
    const started = running[index] as RunningProcess;
    await waitFor(
      async () => {
        if (started.child.exitCode !== null) {
          throw new Error(`exited with ${started.child.exitCode}: ${started.stderr.join('\n')}`);
        }
        const response = await fetch(`${urls[service]}/health/ready`, {
          signal: AbortSignal.timeout(3000),
        });
        return response.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `${service} /health/ready to answer 200` },
    );
  }
}, 150_000);

afterAll(async () => {
  for (const process of running) await killIfRunning(process);
  await database?.drop();
});

describe('the demo seed and the traffic simulator on three processes over Kafka', () => {
  let seed: DemoSeed;

  it('seeds the demo organisation over the public APIs; its integrator key reports usage', async () => {
    const lines: string[] = [];
    seed = await seedDemo({ urls, adminKey, log: (line) => lines.push(line) });
    expect(seed).toMatchObject({
      perimeterId: 'demo-org',
      units: expect.objectContaining({ 'Customer care': 'dept-customer-care' }),
      integrator: { integratorId: 'demo-gateway', key: expect.stringMatching(/^plf_/) },
      finance: { key: expect.stringMatching(/^plf_/) },
    });
    expect(Object.keys(seed.units).length).toBeGreaterThanOrEqual(5);
    expect(lines.length).toBeGreaterThan(3);

    // The budget is open for this month and allocated to every department.
    const balances = await fetch(`${urls.allocation}/v1/budgets/${seed.budgetId}/balances`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(balances.status).toBe(200);
    const body = (await balances.json()) as {
      status: string;
      units: { unitId: string; allocated: string }[];
    };
    expect(body.status).toBe('open');
    for (const unitId of [
      'dept-customer-care',
      'dept-marketing',
      'dept-logistics',
      'dept-research',
    ])
      expect(
        BigInt(body.units.find((unit) => unit.unitId === unitId)?.allocated ?? '0'),
      ).toBeGreaterThan(0n);

    // The finance key reads billing; the integrator key reports usage (once ingestion knows the unit).
    const schedules = await fetch(`${urls.billing}/v1/price-schedules?currency=EUR`, {
      headers: { authorization: `Bearer ${seed.finance?.key ?? ''}` },
    });
    expect(schedules.status).toBe(200);
    const item = {
      id: 'demo-first-usage',
      unitId: 'dept-customer-care',
      useCase: 'support-chat',
      model: 'meta-llama-3.1-70b-instruct',
      region: 'fr',
      inputTokens: '1200',
      outputTokens: '350',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    };
    const verdict = await waitFor(
      async () => {
        const response = await fetch(`${urls.ingestion}/v1/usage`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${seed.integrator.key}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify([item]),
        });
        const answer = (await response.json()) as { items: { status: string }[] };
        return answer.items[0]?.status === 'accepted' ? answer.items[0] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'the demo usage to be accepted' },
    );
    expect(verdict.status).toBe('accepted');
  });

  it('plays the rebound effect: the ceiling holds, discretionary is shed first, the rebound is flagged', async () => {
    // The phases are played in past windows of today (UTC): right after midnight, wait for them.
    const choice = chooseWindows(new Date(), PHASES);
    if ('wait' in choice)
      await new Promise((resolve) => setTimeout(resolve, choice.minutes * 60_000));

    const simulation = await simulate([
      `--allocation=${urls.allocation}`,
      `--ingestion=${urls.ingestion}`,
      `--billing=${urls.billing}`,
      `--phases=${PHASES}`,
      '--requests=4',
      '--seed=7',
      '--json',
    ]);
    expect({
      code: simulation.code,
      stderr: simulation.code === 0 ? '' : simulation.stderr,
    }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(simulation.stdout) as SimulationReport;

    // Total consumption held at or under the ceiling, with nothing left reserved or overrun.
    expect(report.ceilingHeld).toBe(true);
    expect(BigInt(report.consumedMicroWh)).toBeLessThanOrEqual(BigInt(report.ceilingMicroWh));
    expect(report.overrunMicroWh).toBe('0');
    expect(report.phases).toHaveLength(PHASES);
    // Demand grows faster than efficiency: later phases ask for more energy than the first.
    const attempted = (phase: SimulationReport['phases'][number]) =>
      Object.values(phase.byClass).reduce((sum, counts) => sum + counts.attempted, 0);
    expect(
      attempted(report.phases[PHASES - 1] as SimulationReport['phases'][number]),
    ).toBeGreaterThan(attempted(report.phases[0] as SimulationReport['phases'][number]));

    // Labs reached its ceiling: requests were refused, discretionary ones first.
    const refused = report.phases
      .flatMap((phase) => Object.values(phase.byClass))
      .reduce((sum, c) => sum + c.refused, 0);
    expect(refused).toBeGreaterThan(0);
    expect(report.refusalOrder[0]).toBe('discretionary');
    const labs = report.departments.find((department) => department.name === 'Labs');
    expect(labs?.refused).toBeGreaterThan(0);
    expect(report.departments.filter((d) => d.name !== 'Labs').every((d) => d.refused === 0)).toBe(
      true,
    );
    const codes = new Set(report.phases.flatMap((phase) => Object.keys(phase.refusedByCode)));
    expect(codes).toContain('USECASE.SHED_ABOVE_UTILISATION');

    // Billing charged every served request (the demo's price schedule is in force) and its rebound
    // report flags the departments whose efficiency gain was eaten by volume.
    expect(report.billing.heldUnpriced).toBe(0);
    const search = `${report.perimeterId}-search`;
    const support = `${report.perimeterId}-support`;
    expect(report.rebound.flagged).toEqual(expect.arrayContaining([search, support]));
    const row = report.rebound.rows.find(
      (candidate) => candidate.unitId === search && candidate.scope === 'unit',
    );
    expect(row).toMatchObject({ rebound: true });
    expect(Number(row?.energyPerRequestChangePercent)).toBeLessThan(0);
    expect(Number(row?.totalEnergyChangePercent)).toBeGreaterThan(0);
  }, 300_000);
});
