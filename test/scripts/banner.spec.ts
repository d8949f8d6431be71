// What `npm start` prints once the embedded system is ready: keys on the first run only, and what
// a newcomer runs next (curl lines, the simulator). The running system is covered end to end in
// test/e2e/start.e2e-spec.ts; this checks the words without starting anything.
import type { DemoSeed } from '../../scripts/demo/seed';
import { bannerLines, type BannerInput } from '../../scripts/embedded/banner';
import { demoState } from '../../scripts/embedded/demo-state';

const ADMIN = 'plf_abcdefabcdef_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const INTEGRATOR = 'plf_integrator01_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const FINANCE = 'plf_finance00001_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

const seed: DemoSeed = {
  perimeterId: 'demo-org',
  budgetId: 'demo-energy-2026-11',
  units: { 'Demo organisation': 'demo-org', Digital: 'bu-digital' },
  integrator: { integratorId: 'demo-gateway', keyId: 'integrator01', key: INTEGRATOR },
  finance: { keyId: 'finance00001', key: FINANCE },
  period: { startsAt: '2026-11-01T00:00:00.000Z', endsAt: '2026-12-01T00:00:00.000Z' },
};

const base = {
  database: 'embedded PostgreSQL (PGlite) in /home/me/plafond/.plafond',
  dataDir: '/home/me/plafond/.plafond',
  urls: {
    allocation: 'http://127.0.0.1:3001',
    ingestion: 'http://127.0.0.1:3002',
    billing: 'http://127.0.0.1:3003',
  },
  month: '2026-11',
} as const;

const file = '/home/me/plafond/.plafond/admin-api-key';

describe('the banner of npm start', () => {
  it('first run: the three keys once, each saying where it works, and what to run next', () => {
    const input: BannerInput = {
      ...base,
      adminKey: { key: ADMIN, origin: { file }, reveal: true },
      demo: { seededNow: seed, state: demoState(seed, new Date('2026-11-29T12:00:00Z')) },
    };
    const text = bannerLines(input).join('\n');
    expect(text).toContain(`admin API key: ${ADMIN}`);
    expect(text).toContain(`integrator key (demo-gateway, shown once): ${INTEGRATOR}`);
    expect(text).toContain(`finance key (billing, shown once): ${FINANCE}`);
    expect(text).toContain(`  ADMIN=$(cat "${file}")`);
    expect(text).toContain('http://127.0.0.1:3001/docs');
    expect(text).toContain('npm run simulate');
    expect(text).not.toContain('interrupted seed');
  });

  it('a resumed seed: says its keys are new ones (the interrupted attempt never showed any)', () => {
    const resumed: DemoSeed = { ...seed, resumed: true };
    const input: BannerInput = {
      ...base,
      adminKey: { key: ADMIN, origin: { file }, reveal: true },
      demo: { seededNow: resumed, state: demoState(resumed, new Date('2026-11-29T12:00:00Z')) },
    };
    const text = bannerLines(input).join('\n');
    expect(text).toContain('an interrupted seed, completed now');
    expect(text).toContain(`integrator key (demo-gateway, shown once): ${INTEGRATOR}`);
  });

  it('later runs: where the admin key is kept, the demo ids, and no secret', () => {
    const input: BannerInput = {
      ...base,
      adminKey: { key: ADMIN, origin: { file }, reveal: false },
      demo: { earlier: demoState(seed, new Date('2026-11-29T12:00:00Z')) },
    };
    const text = bannerLines(input).join('\n');
    expect(text).not.toMatch(/plf_/);
    expect(text).toContain(`admin API key: in ${file}`);
    expect(text).toContain('demo organisation: perimeter demo-org, budget demo-energy-2026-11');
    expect(text).toContain('npm run simulate');
  });
});
