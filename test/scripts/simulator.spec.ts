// The pure parts of the demo seed and the traffic simulator: options, windows, workload, report.
import { demoMonth, demoPolicies, DEMO_UNITS } from '../../scripts/demo/seed';
import {
  ceilingFor,
  chooseWindows,
  classOf,
  DEPARTMENTS,
  parseOptions,
  phaseLoads,
  planPhase,
  prng,
  UsageError,
} from '../../scripts/simulator/plan';
import { wh } from '../../scripts/simulator/report';

const KEY = 'plf_abcdefabcdef_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const noFile = () => undefined;

describe('simulator options', () => {
  it('defaults to the local services, 4 phases, and the admin key from the environment', () => {
    expect(parseOptions([], { ADMIN_API_KEY: KEY }, noFile)).toEqual({
      urls: {
        allocation: 'http://127.0.0.1:3001',
        ingestion: 'http://127.0.0.1:3002',
        billing: 'http://127.0.0.1:3003',
      },
      adminKey: KEY,
      phases: 4,
      requests: 8,
      seed: 1,
      json: false,
    });
  });

  it('takes flags over the environment, and the key file npm start wrote when nothing else', () => {
    const files: Record<string, string> = { '.run/admin-api-key': `${KEY}\n` };
    const options = parseOptions(
      [
        '--allocation',
        'http://a:1/',
        '--billing=http://b:2',
        '--phases',
        '3',
        '--json',
        '--seed=9',
      ],
      { INGESTION_URL: 'http://i:3' },
      (path) => files[path],
    );
    expect(options).toMatchObject({
      urls: { allocation: 'http://a:1', ingestion: 'http://i:3', billing: 'http://b:2' },
      adminKey: KEY,
      phases: 3,
      seed: 9,
      json: true,
    });
    expect(parseOptions(['--help'], {}, noFile)).toBe('help');
  });

  it('follows the environment npm start was given: its ports and its data directory', () => {
    const files: Record<string, string> = {
      'demo-data/admin-api-key': `${KEY}\n`,
      '.plafond/admin-api-key': 'not this one',
    };
    const env = {
      PLAFOND_DATA_DIR: 'demo-data',
      ALLOCATION_PORT: '4001',
      INGESTION_PORT: '4002',
      BILLING_PORT: '4003',
    };
    expect(parseOptions([], env, (path) => files[path])).toMatchObject({
      urls: {
        allocation: 'http://127.0.0.1:4001',
        ingestion: 'http://127.0.0.1:4002',
        billing: 'http://127.0.0.1:4003',
      },
      adminKey: KEY,
    });
    // A URL, given or in the environment, wins over the port.
    expect(
      parseOptions(
        ['--billing', 'http://b:2'],
        { ...env, INGESTION_URL: 'http://i:3' },
        (path) => files[path],
      ),
    ).toMatchObject({
      urls: { allocation: 'http://127.0.0.1:4001', ingestion: 'http://i:3', billing: 'http://b:2' },
    });
  });

  it('says what is wrong', () => {
    const message = (argv: string[], env: Record<string, string> = { ADMIN_API_KEY: KEY }) => {
      try {
        parseOptions(argv, env, noFile);
        return undefined;
      } catch (error) {
        return error instanceof UsageError ? error.message : 'other';
      }
    };
    expect(message([], {})).toMatch(/no admin key/);
    expect(message(['--phases', '1'])).toBe('--phases must be an integer from 2 to 12 (got "1")');
    expect(message(['--requests', 'x'])).toMatch(/--requests must be an integer/);
    expect(message(['--billing', 'ftp://x'])).toMatch(/--billing must be an http\(s\) URL/);
    expect(message(['--nope'])).toBe('unknown argument "--nope" (see --help)');
    expect(message(['--seed'])).toBe('--seed needs a value');
    expect(message([], { ADMIN_API_KEY: KEY, BILLING_PORT: '70000' })).toBe(
      'BILLING_PORT must be an integer from 1 to 65535 (got "70000")',
    );
    expect(message([], { PLAFOND_DATA_DIR: 'elsewhere' })).toMatch(
      /no admin key: .* elsewhere\/admin-api-key or \.run\/admin-api-key$/,
    );
  });
});

describe('simulator windows', () => {
  it('plays the phases in the last complete hours of today when there are enough', () => {
    const choice = chooseWindows(new Date('2026-11-29T11:42:10Z'), 4);
    expect(choice).toMatchObject({ granularity: 'hour' });
    if ('wait' in choice) throw new Error('unexpected');
    expect(
      choice.windows.map((w) => [w.key, w.startsAt.toISOString(), w.endsAt.toISOString()]),
    ).toEqual([
      ['2026-11-29T07', '2026-11-29T07:00:00.000Z', '2026-11-29T08:00:00.000Z'],
      ['2026-11-29T08', '2026-11-29T08:00:00.000Z', '2026-11-29T09:00:00.000Z'],
      ['2026-11-29T09', '2026-11-29T09:00:00.000Z', '2026-11-29T10:00:00.000Z'],
      ['2026-11-29T10', '2026-11-29T10:00:00.000Z', '2026-11-29T11:00:00.000Z'],
    ]);
  });

  it('falls back to minutes early in the day, and asks to wait right after midnight', () => {
    const minutes = chooseWindows(new Date('2026-12-01T02:03:30Z'), 4);
    if ('wait' in minutes) throw new Error('unexpected');
    expect(minutes.granularity).toBe('minute');
    expect(minutes.windows.map((w) => w.key)).toEqual([
      '2026-12-01T01:59',
      '2026-12-01T02:00',
      '2026-12-01T02:01',
      '2026-12-01T02:02',
    ]);
    expect(chooseWindows(new Date('2026-12-01T00:01:59Z'), 4)).toEqual({
      wait: true,
      minutes: 3,
      message: expect.stringContaining('wait 3 minute(s)'),
    });
  });
});

describe('simulator workload', () => {
  it('lowers energy per request by a fifth and raises requests by half each phase', () => {
    expect(phaseLoads(4, 8).map((l) => [l.energyPerRequestMicroWh, l.baseRequests])).toEqual([
      [2_000_000n, 8],
      [1_600_000n, 12],
      [1_280_000n, 18],
      [1_024_000n, 27],
    ]);
  });

  it('sets a ceiling where the 40 % departments fit under 70 % of their share and Labs does not', () => {
    const loads = phaseLoads(4, 8);
    const demand = loads.reduce(
      (s, l) => s + l.energyPerRequestMicroWh * BigInt(l.baseRequests),
      0n,
    );
    const ceiling = ceilingFor(loads);
    // demand 85.888 Wh per department of demand 1; 85.888 / (0.4 × 0.7) = 306.742857… → rounded up
    expect(demand).toBe(85_888_000n);
    expect(ceiling).toBe(306_742_858n);
    expect((ceiling * 40n * 70n) / 10_000n).toBeGreaterThanOrEqual(demand);
    // Labs asks twice the demand from a fifth of the ceiling
    expect((ceiling * 20n) / 100n).toBeLessThan(2n * demand);
  });

  it('plans every request once, classes alternating per department, inside the window, reproducibly', () => {
    const window = {
      key: '2026-11-29T10',
      startsAt: new Date('2026-11-29T10:00:00Z'),
      endsAt: new Date('2026-11-29T11:00:00Z'),
    };
    const load = phaseLoads(2, 4)[1] as ReturnType<typeof phaseLoads>[number];
    const planned = planPhase(load, window, prng(7));
    expect(planned).toHaveLength(DEPARTMENTS.reduce((s, d) => s + d.demand * load.baseRequests, 0));
    for (const department of DEPARTMENTS) {
      const own = planned.filter((r) => r.department.key === department.key);
      expect(own.map((r) => r.index)).toEqual(own.map((_, i) => i));
      expect(own.map((r) => r.className)).toEqual(own.map((_, i) => classOf(i)));
    }
    for (const request of planned) {
      expect(request.occurredAt.getTime()).toBeGreaterThanOrEqual(window.startsAt.getTime());
      expect(request.occurredAt.getTime()).toBeLessThan(window.endsAt.getTime());
    }
    expect(planPhase(load, window, prng(7))).toEqual(planned);
    expect(planPhase(load, window, prng(8))).not.toEqual(planned);
  });

  it('shows µWh as Wh with three decimals, exactly', () => {
    expect(wh('306742858')).toBe('306.743');
    expect(wh('0')).toBe('0.000');
    expect(wh('-1500')).toBe('-0.002');
  });
});

describe('demo seed plan', () => {
  it('seeds the current UTC month', () => {
    expect(demoMonth(new Date('2026-12-31T23:59:59Z'))).toEqual({
      month: '2026-12',
      startsAt: '2026-12-01T00:00:00.000Z',
      endsAt: '2027-01-01T00:00:00.000Z',
    });
  });

  it('splits by headcount at the top and by headcount × usefulness tier in the business units', () => {
    const policies = demoPolicies();
    expect(Object.keys(policies).sort()).toEqual(['bu-digital', 'bu-operations', 'demo-org']);
    expect(policies['demo-org']).toEqual({
      contingency: { basisPoints: 500 },
      rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
    });
    expect(policies['bu-digital']).toMatchObject({
      rule: {
        kind: 'tiers',
        mode: 'weighted',
        weightAttribute: 'headcount',
        members: [
          { childId: 'dept-customer-care', tier: 'essential' },
          { childId: 'dept-marketing', tier: 'discretionary' },
        ],
      },
    });
    // two business units, four departments, every one with a headcount
    expect(DEMO_UNITS.filter((u) => u.parentId === 'demo-org')).toHaveLength(2);
    expect(DEMO_UNITS.filter((u) => u.tier !== undefined)).toHaveLength(4);
  });
});
