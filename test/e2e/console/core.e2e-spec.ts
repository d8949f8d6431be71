// The console's core pages in headless Chromium against the embedded system with its demo data
// (test/e2e/console/harness.ts): sign-in by keyboard, what each role sees, the unit tree's
// figures against the balances API, an allocation explanation, a what-if preview against the
// preview API (and nothing committed), the burn-down figures, tablet width.
// Run: npm run build && npx jest test/e2e/console/core.e2e-spec.ts --selectProjects e2e --forceExit
import type { Locator, Page } from 'playwright-core';
import {
  openBrowser,
  signIn,
  startConsoleSystem,
  step,
  type BrowserSession,
  type ConsoleSystem,
} from './harness';

interface Figures {
  allocated: string;
  reserved: string;
  committed: string;
  available: string;
  overrun: string;
}
interface BalancesBody {
  totals: Figures;
  units: (Figures & { unitId: string; subtree: Figures })[];
}
interface AllocatedUnit {
  unitId: string;
  amount: string;
  explanation: { contributions: { amount: string }[] } | null;
}
interface RoundBody {
  allocationId: string;
  amount: string;
  policies: Record<string, unknown>;
  units: AllocatedUnit[];
}

let system: ConsoleSystem;

async function call<T>(
  service: keyof ConsoleSystem['urls'],
  path: string,
  init: { method?: string; body?: unknown; key?: string } = {},
): Promise<T> {
  const response = await fetch(`${system.urls[service]}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${init.key ?? system.adminKey}`,
      'Content-Type': 'application/json',
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** The raw integer micro-units an <Amount> shows (its data-value). */
async function amountIn(page: Page, selector: string): Promise<string> {
  const value = await page.locator(`${selector} .amount`).first().getAttribute('data-value');
  if (value === null) throw new Error(`no amount in ${selector}`);
  return value;
}

/** An attribute of every element the locator matches, in order. */
async function attributes(locator: Locator, name: string): Promise<string[]> {
  const values: string[] = [];
  const count = await locator.count();
  for (let index = 0; index < count; index += 1) {
    values.push((await locator.nth(index).getAttribute(name)) ?? '');
  }
  return values;
}

/** The data-value of every <Amount> the locator matches, in order. */
function dataValues(locator: Locator): Promise<string[]> {
  return attributes(locator, 'data-value');
}

async function isFocused(page: Page, locator: Locator): Promise<boolean> {
  const id = await locator.getAttribute('id');
  const focused = await page.evaluate<string>(
    'document.activeElement ? document.activeElement.id : ""',
  );
  return id !== null && id === focused;
}

/**
 * The demo's month of usage reaches the allocation ledger asynchronously after start: wait
 * until the balances stop moving (two equal reads a second apart), so page and API agree.
 */
async function settled(budgetId: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  let previous = '';
  while (Date.now() < deadline) {
    const body = JSON.stringify(await call('allocation', `/v1/budgets/${budgetId}/balances`));
    if (body === previous) return;
    previous = body;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  throw new Error('the demo balances kept moving for 90 s');
}

async function withBrowser(
  fn: (session: BrowserSession) => Promise<void>,
  viewport?: { width: number; height: number },
): Promise<void> {
  const session = await openBrowser(viewport);
  try {
    await fn(session);
  } finally {
    await session.close();
  }
}

beforeAll(async () => {
  system = await startConsoleSystem('core');
  await settled(system.demo.budgetId);
});

afterAll(async () => {
  await system?.stop();
});

describe('console core pages (admin key)', () => {
  it('signs in with the keyboard only and shows the role per service', async () => {
    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-keyboard-sign-in', async () => {
        await page.goto(`${system.consoleUrl}/#/sign-in`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        // Tab until the key field has the focus (it starts focused: at most a few presses).
        const field = page.getByLabel('API key');
        for (let presses = 0; presses < 6; presses += 1) {
          if (await isFocused(page, field)) break;
          await page.keyboard.press('Tab');
        }
        expect(await isFocused(page, field)).toBe(true);
        expect(await field.getAttribute('type')).toBe('password');
        await page.keyboard.type(system.adminKey);
        await page.keyboard.press('Enter');
        await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      });
      await step(session, 'core-roles-and-nav', async () => {
        const roles = page.getByRole('list', { name: 'Connected services' });
        await expect(roles.innerText()).resolves.toMatch(/Allocation\s+admin/);
        await expect(roles.innerText()).resolves.toMatch(/Billing\s+admin/);
        const nav = page.getByRole('navigation', { name: 'Pages' });
        for (const name of [
          'Organisation',
          'Budget burn-down',
          'Why this allocation',
          'Scarcity',
          'Billing',
          'Rebound',
          'Audit',
        ]) {
          await expect(nav.getByRole('link', { name, exact: true }).count()).resolves.toBe(1);
        }
        // The key is kept in sessionStorage only.
        const stored = await page.evaluate<{ session: string; local: number }>(
          `({ session: sessionStorage.getItem('plafond.console.keys') || '', local: localStorage.length })`,
        );
        expect(stored.session).toContain(system.adminKey);
        expect(stored.local).toBe(0);
      });
      await step(session, 'core-reload-keeps-session', async () => {
        // A reload checks the kept keys again and stays signed in.
        await page.reload();
        await page.getByRole('navigation', { name: 'Pages' }).waitFor();
        await expect(
          page.getByRole('list', { name: 'Connected services' }).innerText(),
        ).resolves.toMatch(/Allocation\s+admin/);
      });
      await step(session, 'core-sign-out', async () => {
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
      });
    });
  });

  it('refuses a wrong key with a readable error and its code', async () => {
    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-bad-key', async () => {
        await page.goto(`${system.consoleUrl}/#/sign-in`);
        await page.getByLabel('API key').fill('plf_aaaaaaaaaaaa_not-a-real-secret');
        await page.getByRole('button', { name: 'Sign in' }).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        await expect(alert.innerText()).resolves.toContain('AUTH.UNAUTHENTICATED');
        await expect(page.getByRole('navigation', { name: 'Pages' }).count()).resolves.toBe(0);
      });
    });
  });

  it('shows the unit tree with the balances API figures, rolled up and own', async () => {
    const { budgetId } = system.demo;
    const balances = await call<BalancesBody>('allocation', `/v1/budgets/${budgetId}/balances`);
    const digital = balances.units.find((unit) => unit.unitId === 'bu-digital');
    const marketing = balances.units.find((unit) => unit.unitId === 'dept-marketing');
    expect(digital && marketing).toBeTruthy();
    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-tree-sign-in', () =>
        signIn(page, system.consoleUrl, system.adminKey),
      );
      await step(session, 'core-tree-figures', async () => {
        await page.goto(`${system.consoleUrl}/#/organisation?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Organisation', level: 1 }).waitFor();
        const row = 'tr[data-unit-id="bu-digital"]';
        await page.locator(row).waitFor();
        for (const figure of [
          'allocated',
          'reserved',
          'committed',
          'available',
          'overrun',
        ] as const) {
          await expect(amountIn(page, `${row} td[data-figure="${figure}"]`)).resolves.toBe(
            digital?.subtree[figure],
          );
        }
        // A department: leaf, rolled up = own.
        await expect(
          amountIn(page, 'tr[data-unit-id="dept-marketing"] td[data-figure="committed"]'),
        ).resolves.toBe(marketing?.subtree.committed);
        // Own account figures: a business unit keeps nothing of its own.
        await page.getByLabel('Figures', { exact: true }).selectOption('own');
        await expect(amountIn(page, `${row} td[data-figure="allocated"]`)).resolves.toBe(
          digital?.allocated,
        );
      });
      await step(session, 'core-tree-keyboard', async () => {
        const toggle = page.getByRole('button', { name: 'Collapse Digital' });
        await toggle.focus();
        await page.keyboard.press('Enter');
        await expect(page.locator('tr[data-unit-id="dept-marketing"]').count()).resolves.toBe(0);
        const expand = page.getByRole('button', { name: 'Expand Digital' });
        await expect(expand.getAttribute('aria-expanded')).resolves.toBe('false');
        await expand.focus();
        await page.keyboard.press('Space');
        await page.locator('tr[data-unit-id="dept-marketing"]').waitFor();
      });
    });
  });

  it('explains a demo allocation: contributions sum to the amount', async () => {
    const { budgetId } = system.demo;
    const rounds = await call<{ items: { allocationId: string }[] }>(
      'allocation',
      `/v1/budgets/${budgetId}/allocations`,
    );
    expect(rounds.items.length).toBeGreaterThan(0);
    const roundId = rounds.items[rounds.items.length - 1]!.allocationId;
    const round = await call<RoundBody>(
      'allocation',
      `/v1/budgets/${budgetId}/allocations/${roundId}`,
    );
    const care = round.units.find((unit) => unit.unitId === 'dept-customer-care');
    expect(care?.explanation).toBeTruthy();

    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-why-sign-in', () =>
        signIn(page, system.consoleUrl, system.adminKey),
      );
      await step(session, 'core-why-explanation', async () => {
        await page.goto(`${system.consoleUrl}/#/allocation?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Why this allocation', level: 1 }).waitFor();
        await page.getByLabel('Unit', { exact: true }).selectOption('dept-customer-care');
        const panel = page.locator('section[data-explained-unit="dept-customer-care"]');
        await panel.waitFor();
        const shown = await dataValues(panel.locator('td[data-figure="contribution"] .amount'));
        expect(shown.length).toBe(care!.explanation!.contributions.length);
        const sum = shown.reduce((total, value) => total + BigInt(value), 0n);
        expect(sum.toString()).toBe(care!.amount);
        await expect(
          amountIn(
            page,
            'section[data-explained-unit="dept-customer-care"] td[data-figure="contributions-total"]',
          ),
        ).resolves.toBe(care!.amount);
        await expect(panel.innerText()).resolves.toContain('= amount');
      });
    });
  });

  it('previews a what-if on the demo round and commits nothing', async () => {
    // The demo round takes the whole ceiling: the what-if re-splits its amount as if it were
    // replaced (`replacing`), as the API's own preview does.
    const { budgetId } = system.demo;
    const before = await call<{ items: { allocationId: string }[] }>(
      'allocation',
      `/v1/budgets/${budgetId}/allocations`,
    );
    const roundId = before.items[before.items.length - 1]!.allocationId;
    const round = await call<RoundBody>(
      'allocation',
      `/v1/budgets/${budgetId}/allocations/${roundId}`,
    );

    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-what-if-sign-in', () =>
        signIn(page, system.consoleUrl, system.adminKey),
      );
      await step(session, 'core-what-if-preview', async () => {
        await page.goto(`${system.consoleUrl}/#/allocation?budget=${budgetId}&round=${roundId}`);
        await page.getByRole('heading', { name: `Round ${roundId}` }).waitFor();
        const weight = page.getByLabel('dept-marketing headcount weight');
        const current = await weight.inputValue();
        expect(current).toMatch(/^\d+$/);
        const tripled = String(Number(current) * 3);
        await weight.fill(tripled);
        await page.getByRole('button', { name: 'Preview', exact: true }).click();
        const status = page.getByRole('status').filter({ hasText: 'nothing has been committed' });
        await status.waitFor();
        const table = page.getByRole('table', { name: 'Preview compared with the round' });
        const ids = await attributes(table.locator('tbody tr'), 'data-unit-id');
        const values = await dataValues(
          table.locator('tbody tr td[data-figure="preview"] .amount'),
        );
        const shown = new Map(ids.map((id, index) => [id, values[index] ?? '']));
        // The API's own preview of the same what-if.
        const api = await call<RoundBody>('allocation', `/v1/budgets/${budgetId}/preview`, {
          method: 'POST',
          body: {
            policies: round.policies,
            amount: round.amount,
            replacing: roundId,
            attributeOverrides: { 'dept-marketing': { headcount: tripled } },
          },
        });
        expect(api.units.length).toBe(round.units.length);
        for (const unit of api.units) expect(shown.get(unit.unitId)).toBe(unit.amount);
        const marketingBefore = round.units.find((unit) => unit.unitId === 'dept-marketing');
        expect(BigInt(shown.get('dept-marketing') ?? '0')).toBeGreaterThan(
          BigInt(marketingBefore!.amount),
        );
      });

      await step(session, 'core-what-if-nothing-committed', async () => {
        const after = await call<{ items: { allocationId: string }[] }>(
          'allocation',
          `/v1/budgets/${budgetId}/allocations`,
        );
        expect(after.items).toEqual(before.items);
        const roundAfter = await call<RoundBody>(
          'allocation',
          `/v1/budgets/${budgetId}/allocations/${roundId}`,
        );
        expect(roundAfter.units).toEqual(round.units);
      });

      await step(session, 'core-what-if-policy-error', async () => {
        await page.getByRole('button', { name: 'Reset to the round' }).click();
        await page.getByLabel('demo-org weight of headcount (basis points)').fill('9000');
        await page.getByRole('button', { name: 'Preview', exact: true }).click();
        const alert = page.getByRole('alert').filter({ hasText: 'ALLOCATION.POLICY_INVALID' });
        await alert.waitFor();
        await expect(alert.innerText()).resolves.toMatch(/policies/);
      });
    });
  });

  it('shows the burn-down with the API figures and a chart', async () => {
    const { budgetId } = system.demo;
    const burnDown = await call<{ projection: { committed: string; projectedAtEnd: string } }>(
      'allocation',
      `/v1/budgets/${budgetId}/burn-down`,
    );
    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-burn-sign-in', () =>
        signIn(page, system.consoleUrl, system.adminKey),
      );
      await step(session, 'core-burn-down', async () => {
        await page.goto(`${system.consoleUrl}/#/burn-down?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Budget burn-down', level: 1 }).waitFor();
        const figures = page.getByLabel('Burn-down figures');
        await figures.waitFor();
        await expect(
          amountIn(
            page,
            `dl[aria-label="Burn-down figures"] div:has(dt:text("Consumed so far")) dd`,
          ),
        ).resolves.toBe(burnDown.projection.committed);
        // The projection moves with the clock (the same consumption over a longer elapsed time
        // projects lower): the page's lies between the API's read before and after it.
        const projected = await amountIn(
          page,
          `dl[aria-label="Burn-down figures"] div:has(dt:text("Projected at period end")) dd`,
        );
        expect(BigInt(projected)).toBeGreaterThanOrEqual(BigInt(burnDown.projection.committed));
        expect(BigInt(projected)).toBeLessThanOrEqual(BigInt(burnDown.projection.projectedAtEnd));
        const later = await call<{ projection: { projectedAtEnd: string } }>(
          'allocation',
          `/v1/budgets/${budgetId}/burn-down`,
        );
        expect(BigInt(later.projection.projectedAtEnd)).toBeLessThanOrEqual(BigInt(projected));
        await page
          .getByRole('img', { name: 'Burn-down chart' })
          .locator('svg .recharts-line')
          .first()
          .waitFor();
        // Drill down into a business unit.
        await page.getByRole('button', { name: 'Show bu-digital' }).click();
        await page.getByRole('heading', { name: 'Units below bu-digital' }).waitFor();
      });
    });
  });
});

describe('console roles and widths', () => {
  it('gives a finance key Billing but neither Organisation nor the what-if', async () => {
    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-finance-sign-in', () =>
        signIn(page, system.consoleUrl, system.financeKey),
      );
      await step(session, 'core-finance-nav', async () => {
        const nav = page.getByRole('navigation', { name: 'Pages' });
        await expect(nav.getByRole('link', { name: 'Billing', exact: true }).count()).resolves.toBe(
          1,
        );
        await expect(nav.getByRole('link', { name: 'Organisation' }).count()).resolves.toBe(0);
        await expect(nav.getByRole('link', { name: 'Why this allocation' }).count()).resolves.toBe(
          0,
        );
        const roles = page.getByRole('list', { name: 'Connected services' });
        await expect(roles.innerText()).resolves.toMatch(/Billing\s+finance/);
        await expect(roles.innerText()).resolves.toMatch(/Allocation\s+not connected/);
        // Typing the what-if's address does not open it: the app sends the key elsewhere.
        await page.goto(`${system.consoleUrl}/#/allocation`);
        // waitForURL polls from Node: the console's CSP forbids waitForFunction's string eval.
        await page.waitForURL((url) => url.hash !== '#/allocation');
        await expect(
          page.getByRole('button', { name: 'Preview', exact: true }).count(),
        ).resolves.toBe(0);
        await expect(
          page.getByRole('heading', { name: 'Why this allocation' }).count(),
        ).resolves.toBe(0);
      });
      await step(session, 'core-finance-add-key', async () => {
        // Keys are per service: adding an allocation key opens the allocation pages.
        await page.getByRole('link', { name: 'Keys' }).click();
        await page.getByRole('heading', { name: 'Add a key for another service' }).waitFor();
        await page.getByLabel('API key').fill(system.adminKey);
        await page.getByRole('button', { name: 'Add key' }).click();
        await page.getByRole('status').filter({ hasText: 'Connected: Allocation' }).waitFor();
        const nav = page.getByRole('navigation', { name: 'Pages' });
        await nav.getByRole('link', { name: 'Organisation' }).waitFor();
        const roles = page.getByRole('list', { name: 'Connected services' });
        await expect(roles.innerText()).resolves.toMatch(/Allocation\s+admin/);
      });
    });
  });

  it('shows a bu-digital unit manager its subtree only, and none of the actions it may not take', async () => {
    const { budgetId } = system.demo;
    const managerKey = async (service: 'allocation' | 'billing') =>
      (
        await call<{ key: string }>(service, '/v1/api-keys', {
          method: 'POST',
          body: { name: 'digital lead', role: 'unit_manager', scopeUnitId: 'bu-digital' },
        })
      ).key;
    const allocationKey = await managerKey('allocation');
    const billingKey = await managerKey('billing');
    const balances = await call<BalancesBody>('allocation', `/v1/budgets/${budgetId}/balances`, {
      key: allocationKey,
    });
    const subtree = ['bu-digital', 'dept-customer-care', 'dept-marketing'];
    expect(balances.units.map((unit) => unit.unitId).sort()).toEqual(subtree);
    // Once nothing is loading any more, no error is shown (a 403 would be one).
    const noAlert = async (page: Page) => {
      // (Polled from here: the console's CSP forbids waitForFunction's string evaluation.)
      const deadline = Date.now() + 30_000;
      while ((await page.locator('p.loading').count()) > 0) {
        if (Date.now() > deadline) throw new Error('the page was still loading after 30 s');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await expect(page.getByRole('alert').allInnerTexts()).resolves.toEqual([]);
    };

    await withBrowser(async (session) => {
      const { page } = session;
      await step(session, 'core-manager-sign-in', async () => {
        await signIn(page, system.consoleUrl, allocationKey);
        await page.getByRole('link', { name: 'Keys' }).click();
        await page.getByRole('heading', { name: 'Add a key for another service' }).waitFor();
        await page.getByLabel('API key').fill(billingKey);
        await page.getByRole('button', { name: 'Add key' }).click();
        await page.getByRole('status').filter({ hasText: 'Connected: Billing' }).waitFor();
        const roles = await page.getByRole('list', { name: 'Connected services' }).innerText();
        expect(roles).toMatch(/Allocation\s+unit_manager · bu-digital/);
        expect(roles).toMatch(/Billing\s+unit_manager · bu-digital/);
      });

      await step(session, 'core-manager-tree', async () => {
        await page.goto(`${system.consoleUrl}/#/organisation?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Organisation', level: 1 }).waitFor();
        await page.locator('tr[data-unit-id="bu-digital"]').waitFor();
        const rows = page.locator('table.tree-table tbody tr');
        await expect(rows.first().getAttribute('data-unit-id')).resolves.toBe('bu-digital');
        await expect(rows.first().getAttribute('data-depth')).resolves.toBe('0');
        expect((await attributes(rows, 'data-unit-id')).sort()).toEqual(subtree);
        for (const hidden of [system.demo.perimeterId, 'bu-operations', 'dept-logistics']) {
          await expect(page.locator(`tr[data-unit-id="${hidden}"]`).count()).resolves.toBe(0);
        }
        for (const unit of balances.units) {
          for (const figure of [
            'allocated',
            'reserved',
            'committed',
            'available',
            'overrun',
          ] as const) {
            await expect(
              amountIn(page, `tr[data-unit-id="${unit.unitId}"] td[data-figure="${figure}"]`),
            ).resolves.toBe(unit.subtree[figure]);
          }
        }
        // The budget's ceiling, but totals over the subtree only, and labelled so.
        const card = `dl[aria-label="Budget ${budgetId} figures"]`;
        await expect(
          amountIn(page, `${card} div:has(dt:text-is("Committed in bu-digital and below")) dd`),
        ).resolves.toBe(balances.totals.committed);
        expect(balances.totals.committed).toBe(
          balances.units.find((unit) => unit.unitId === 'bu-digital')?.subtree.committed,
        );
        await expect(
          page
            .locator(`${card} dt`)
            .filter({ hasText: /^Committed$/ })
            .count(),
        ).resolves.toBe(0);
        await noAlert(page);
      });

      await step(session, 'core-manager-burn-down', async () => {
        await page.goto(`${system.consoleUrl}/#/burn-down?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Budget burn-down', level: 1 }).waitFor();
        await page.getByLabel('Burn-down figures').getByText('Allocated to bu-digital').waitFor();
        await expect(page.getByLabel('Unit (drill down)').inputValue()).resolves.toBe('bu-digital');
        await noAlert(page);
      });

      await step(session, 'core-manager-why', async () => {
        await page.goto(`${system.consoleUrl}/#/allocation?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Why this allocation', level: 1 }).waitFor();
        await page.getByRole('heading', { name: /^Round / }).waitFor();
        await page.getByText('may not run previews').waitFor();
        await expect(
          page.getByRole('button', { name: 'Preview', exact: true }).count(),
        ).resolves.toBe(0);
        await expect(page.getByRole('heading', { name: /what-if/i }).count()).resolves.toBe(0);
        await noAlert(page);
      });

      await step(session, 'core-manager-audit', async () => {
        await page.goto(`${system.consoleUrl}/#/audit?budget=${budgetId}`);
        await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
        await page.getByRole('heading', { name: 'Event history' }).waitFor();
        const unit = page.getByLabel('Unit', { exact: true });
        await expect(unit.inputValue()).resolves.toBe('bu-digital');
        expect((await attributes(unit.locator('option'), 'value')).sort()).toEqual(subtree);
        await page.getByText('UnitCreated').first().waitFor();
        await expect(page.getByRole('button', { name: 'Verify ledgers' }).count()).resolves.toBe(0);
        await expect(page.getByRole('radio', { name: 'The budget' }).count()).resolves.toBe(0);
        await noAlert(page);
      });

      await step(session, 'core-manager-billing', async () => {
        await page.goto(`${system.consoleUrl}/#/billing`);
        await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
        const options = page.getByLabel('Unit', { exact: true }).locator('option');
        await options.first().waitFor({ state: 'attached' });
        expect((await attributes(options, 'value')).sort()).toEqual(subtree);
        await page.getByRole('heading', { name: /^Statement of bu-digital,/ }).waitFor();
        await expect(page.getByRole('button', { name: /close period/i }).count()).resolves.toBe(0);
        await noAlert(page);
      });
    });
  });

  it('renders the navigation and the tree at tablet width', async () => {
    await withBrowser(
      async (session) => {
        const { page } = session;
        await step(session, 'core-tablet-sign-in', () =>
          signIn(page, system.consoleUrl, system.adminKey),
        );
        await step(session, 'core-tablet-layout', async () => {
          await page.goto(`${system.consoleUrl}/#/organisation?budget=${system.demo.budgetId}`);
          await page.locator('tr[data-unit-id="bu-digital"]').waitFor();
          const nav = page.getByRole('navigation', { name: 'Pages' });
          const box = await nav.boundingBox();
          // Narrow widths: the nav is a bar above the content, not a side column.
          expect(box && box.width).toBeGreaterThan(700);
          await expect(nav.getByRole('link', { name: 'Audit' }).isVisible()).resolves.toBe(true);
          const overflow = await page.evaluate<number>(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          expect(overflow).toBeLessThanOrEqual(0);
        });
      },
      { width: 820, height: 1180 },
    );
  });
});
