// The web console's browser tests: the embedded system as `npm start` runs it (built
// dist/scripts/start.js, PGlite in a temporary data directory, the demo seeded, the console on a
// free port), and headless Chromium driven by playwright-core. No browser is downloaded: the
// system's Chromium is used (PLAFOND_CHROMIUM, else /usr/bin/chromium, else chromium-browser
// on PATH); a missing one fails the tests with what to install.
import { generateApiKey } from '@plafond/platform';
import { freePorts } from '@plafond/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { demoMonth, type DemoSeed } from '../../../scripts/demo/seed';
import type { DemoState } from '../../../scripts/embedded/demo-state';
import {
  baseEnvironment,
  builtFile,
  exitWithin,
  killIfRunning,
  repositoryRoot,
  startProcess,
  type RunningProcess,
} from '../processes';

export const SCREENSHOT_DIR = join(repositoryRoot, 'test-results', 'console');
/** The first start seeds the demo and plays a month of activity: allow for it. */
const READY_BOUND_MS = 150_000;
const STOP_BOUND_MS = 30_000;

/**
 * The demo as seeded: ids from <dataDir>/demo.json, keys from the first-run banner. `activity`
 * is there when demo.json records it (the seed's played month: days, usage, refused reservation).
 */
export type ConsoleDemo = Omit<DemoSeed, 'activity'> & { activity?: DemoSeed['activity'] };

export interface ConsoleSystem {
  readonly consoleUrl: string;
  readonly urls: { allocation: string; ingestion: string; billing: string };
  readonly adminKey: string;
  /** Billing's finance role key, as the demo seed printed it. */
  readonly financeKey: string;
  /** The demo integrator's key (ingestion), as the demo seed printed it. */
  readonly integratorKey: string;
  readonly demo: ConsoleDemo;
  /** Everything the host wrote so far. */
  output(): string;
  /** SIGTERM, bounded wait, then the data directory removed. Safe to call twice. */
  stop(): Promise<void>;
}

const outputOf = (running: RunningProcess) => [...running.stdout, ...running.stderr].join('\n');

/** The value after `prefix` on the banner line that starts with it (after trimming). */
function bannerValue(lines: readonly string[], pattern: RegExp): string | undefined {
  for (const line of lines) {
    const match = pattern.exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

async function waitForBanner(running: RunningProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (running.stdout.some((line) => line.includes('press Ctrl-C to stop'))) return;
    if (running.child.exitCode !== null || running.child.signalCode !== null) {
      throw new Error(`the embedded system exited during start-up:\n${outputOf(running)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the embedded system printed no banner within ${READY_BOUND_MS} ms; last output:\n` +
      outputOf(running).split('\n').slice(-30).join('\n'),
  );
}

/**
 * `npm start`'s embedded default on free ports with a fresh data directory: the demo is seeded
 * (its keys read from the first-run banner, its ids from <dataDir>/demo.json).
 */
export async function startConsoleSystem(label: string): Promise<ConsoleSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), `plafond-console-${label}-`));
  let host: RunningProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (host !== undefined && host.child.exitCode === null && host.child.signalCode === null) {
      host.child.kill('SIGTERM');
      await exitWithin(host, STOP_BOUND_MS).catch(() => killIfRunning(host));
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const [consolePort = 0, allocation = 0, ingestion = 0, billing = 0] = await freePorts(4);
    const ports = { console: consolePort, allocation, ingestion, billing };
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const adminKey = generateApiKey().key;
    host = startProcess(builtFile('dist/scripts/start.js'), {
      ...baseEnvironment(),
      PLAFOND_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '20000',
      CONSOLE_PORT: String(ports.console),
      ALLOCATION_PORT: String(ports.allocation),
      INGESTION_PORT: String(ports.ingestion),
      BILLING_PORT: String(ports.billing),
      ADMIN_API_KEY: adminKey,
    });
    builtFile('dist/console/index.html');
    await waitForBanner(host, Date.now() + READY_BOUND_MS);
    const lines = host.stdout;
    const integratorKey = bannerValue(lines, /integrator key \([^)]*\): (\S+)/);
    const financeKey = bannerValue(lines, /finance key \([^)]*\): (\S+)/);
    if (integratorKey === undefined || financeKey === undefined) {
      throw new Error(
        `the first-run banner shows no integrator or finance key:\n${outputOf(host)}`,
      );
    }
    const state = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')) as DemoState & {
      activity?: DemoSeed['activity'];
    };
    const month = demoMonth(new Date(state.seededAt));
    const demo: ConsoleDemo = {
      perimeterId: state.perimeterId,
      budgetId: state.budgetId,
      units: { ...state.units },
      integrator: { ...state.integrator, key: integratorKey },
      ...(state.finance === undefined ? {} : { finance: { ...state.finance, key: financeKey } }),
      period: { startsAt: month.startsAt, endsAt: month.endsAt },
      ...(state.activity === undefined ? {} : { activity: state.activity }),
    };
    const running = host;
    return {
      consoleUrl: url(ports.console),
      urls: {
        allocation: url(ports.allocation),
        ingestion: url(ports.ingestion),
        billing: url(ports.billing),
      },
      adminKey,
      financeKey,
      integratorKey,
      demo,
      output: () => outputOf(running),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Errors the page raised and console.error lines, for a failure message. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** The system's Chromium: PLAFOND_CHROMIUM, /usr/bin/chromium, or chromium(-browser) on PATH. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PLAFOND_CHROMIUM;
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) {
      throw new Error(`PLAFOND_CHROMIUM=${configured} does not exist`);
    }
    return configured;
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found !== '') return found;
    } catch {
      // not on PATH
    }
  }
  throw new Error(
    "No Chromium found for the console tests: install Debian's `chromium` package " +
      '(apt-get install chromium; .ci/run does it) or set PLAFOND_CHROMIUM to its executable',
  );
}

export async function openBrowser(
  viewport: { width: number; height: number } = { width: 1366, height: 768 },
): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
    });
    return {
      browser,
      context,
      page,
      problems,
      close: async () => {
        await context.close().catch(() => undefined);
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

const fileSafe = (name: string) =>
  name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100) || 'step';

/**
 * One named step of a browser test. On failure: a full-page screenshot in
 * test-results/console/<name>.png, and the error rethrown with that path (and what the page
 * logged as errors) in its message.
 */
export async function step<T>(
  session: Pick<BrowserSession, 'page'> & Partial<Pick<BrowserSession, 'problems'>>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${fileSafe(name)}.png`);
    let saved = `screenshot: ${path}`;
    await session.page
      .screenshot({ path, fullPage: true, timeout: 10_000 })
      .catch((shotError: unknown) => {
        saved = `no screenshot (${shotError instanceof Error ? shotError.message : String(shotError)})`;
      });
    const problems = session.problems?.length
      ? `\npage problems:\n${session.problems.join('\n')}`
      : '';
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new Error(`step "${name}" failed: ${message}\n${saved}${problems}`);
    if (error instanceof Error && error.stack !== undefined) {
      wrapped.stack = `${wrapped.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
    }
    throw wrapped;
  }
}

/**
 * Signs in through the console's own form: #/sign-in, the key typed into the field labelled
 * "API key", the "Sign in" button, then waits for the page navigation ("Pages") to appear.
 */
export async function signIn(page: Page, consoleUrl: string, key: string): Promise<void> {
  await page.goto(`${consoleUrl}/#/sign-in`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor({ state: 'visible' });
}
