// What the one-process host prints once the three services are ready. The keys appear only on the
// run that created them (first run); later runs say where the admin key is kept instead.
import { DEMO_UNITS, DEMO_USE_CASES, type DemoSeed } from '../demo/seed';
import type { DemoState } from './demo-state';
import type { ServiceName } from './settings';

export interface AdminKeyShown {
  readonly key: string;
  /** `ADMIN_API_KEY`, or the file that keeps the generated key. */
  readonly origin: 'ADMIN_API_KEY' | { readonly file: string };
  /** Print the key itself (the run that generated it, or seeded the demo with it). */
  readonly reveal: boolean;
}

export interface BannerInput {
  /** `embedded PostgreSQL (PGlite) in <dir>` or the DATABASE_URL without password. */
  readonly database: string;
  readonly dataDir: string;
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** The web console's URL; undefined when PLAFOND_CONSOLE=false. */
  readonly consoleUrl?: string | undefined;
  readonly adminKey: AdminKeyShown;
  /** The demo seeded by this run (keys shown), or recorded by an earlier one (ids only). */
  readonly demo:
    | { readonly seededNow: DemoSeed; readonly state: DemoState }
    | { readonly earlier: DemoState }
    | undefined;
  readonly month: string;
}

const RULE = '─'.repeat(72);

function adminKeyLines({ adminKey }: BannerInput): string[] {
  if (adminKey.origin === 'ADMIN_API_KEY') return ['admin API key: the one in ADMIN_API_KEY'];
  if (adminKey.reveal) {
    return [
      `admin API key: ${adminKey.key}`,
      `  (shown once; kept in ${adminKey.origin.file}; set ADMIN_API_KEY to use your own)`,
    ];
  }
  return [`admin API key: in ${adminKey.origin.file} (set ADMIN_API_KEY to use your own)`];
}

function demoLines(input: BannerInput): string[] {
  const { demo } = input;
  if (demo === undefined) return [];
  const state = 'state' in demo ? demo.state : demo.earlier;
  const units = Object.entries(state.units)
    .map(([name, id]) => (name === id ? id : `${name} (${id})`))
    .join(', ');
  const lines = [
    `demo organisation: perimeter ${state.perimeterId}, budget ${state.budgetId}`,
    `  units: ${units}`,
  ];
  if ('seededNow' in demo) {
    const { integrator, finance, resumed } = demo.seededNow;
    if (resumed === true) {
      lines.push(
        '  (an interrupted seed, completed now: its keys were never shown; these are new ones)',
      );
    }
    lines.push(`integrator key (${integrator.integratorId}, shown once): ${integrator.key}`);
    if (finance !== undefined) lines.push(`finance key (billing, shown once): ${finance.key}`);
  } else {
    lines.push(
      `  (seeded ${state.seededAt}; its keys were shown then — create new ones with the admin key)`,
    );
  }
  return lines;
}

function exampleLines(input: BannerInput): string[] {
  const { urls, demo, month } = input;
  const keyFile =
    input.adminKey.origin === 'ADMIN_API_KEY' ? undefined : input.adminKey.origin.file;
  const lines = [
    'try it:',
    keyFile === undefined ? '  ADMIN=$ADMIN_API_KEY' : `  ADMIN=$(cat ${JSON.stringify(keyFile)})`,
    `  curl -s -H "Authorization: Bearer $ADMIN" ${urls.allocation}/v1/budgets`,
  ];
  if (demo !== undefined) {
    const state = 'state' in demo ? demo.state : demo.earlier;
    lines.push(
      `  curl -s -H "Authorization: Bearer $ADMIN" "${urls.allocation}/v1/budgets/${state.budgetId}/units/${state.perimeterId}/balance?rollUp=true"`,
      `  curl -s -H "Authorization: Bearer $ADMIN" "${urls.billing}/v1/units/${state.perimeterId}/statement?period=${month}"`,
    );
  }
  lines.push(`  curl -s -H "Authorization: Bearer $ADMIN" ${urls.ingestion}/v1/integrators`);
  if (demo !== undefined && 'seededNow' in demo) lines.push(...usageExample(input, demo.seededNow));
  return lines;
}

/** The integrator reporting one request of an essential department, as a gateway would. */
function usageExample({ urls }: BannerInput, seed: DemoSeed): string[] {
  const unit = DEMO_UNITS.find((candidate) => candidate.tier === 'essential')?.unitId;
  const useCase = DEMO_USE_CASES.find((candidate) => candidate.className === 'essential')?.useCase;
  if (unit === undefined || useCase === undefined) return [];
  return [
    `  KEY=${seed.integrator.key}`,
    `  curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' ${urls.ingestion}/v1/usage -d '[` +
      `{"id":"demo-req-1","unitId":"${unit}","useCase":"${useCase}","model":"meta-llama-3.1-70b-instruct",` +
      `"region":"fr","inputTokens":"1200","outputTokens":"350","occurredAt":"'$(date -u +%FT%TZ)'"}]'`,
  ];
}

/** The console first: it is where a person starts. */
function consoleLines({ consoleUrl, adminKey }: BannerInput): string[] {
  if (consoleUrl === undefined) return [];
  const key = adminKey.reveal ? 'the admin key below' : 'an API key, e.g. the admin key';
  return [`  console    ${consoleUrl}  (web console: sign in with ${key})`];
}

export function bannerLines(input: BannerInput): string[] {
  const services = (Object.entries(input.urls) as [ServiceName, string][]).map(
    ([name, url]) => `  ${name.padEnd(10)} ${url}  (docs: ${url}/docs)`,
  );
  return [
    RULE,
    `Plafond is ready — database: ${input.database}`,
    ...consoleLines(input),
    ...services,
    ...adminKeyLines(input),
    ...demoLines(input),
    ...exampleLines(input),
    'rebound effect: npm run simulate (in another terminal, same directory and environment)',
    `data: ${input.dataDir} (stop, then delete it to start afresh)`,
    'press Ctrl-C to stop',
    RULE,
  ];
}
