// The console's Scarcity, Billing, Rebound and Audit pages in headless Chromium, against the
// embedded system with its demo data: a refusal made through the API shows up on the Scarcity
// page by itself; the journal CSV downloaded in the browser adds up to the JSON export and the
// statement; closing an open month is refused with its code; ledger verification runs on every
// service; an auditor sees Audit but no close button. Figures are checked against the APIs.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { parseCsv } from '../../../apps/billing/src/domain/csv';
import { openBrowser, signIn, startConsoleSystem, step, type ConsoleSystem } from './harness';

jest.setTimeout(300_000);

let system: ConsoleSystem;
let period: string;

beforeAll(async () => {
  system = await startConsoleSystem('pages');
  period = system.demo.period.startsAt.slice(0, 7);
});

afterAll(async () => {
  await system?.stop();
});

type Service = 'allocation' | 'ingestion' | 'billing';

async function call<T>(
  service: Service,
  key: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${system.urls[service]}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function ok<T>(service: Service, key: string, path: string, body?: unknown): Promise<T> {
  const answer = await call<T>(service, key, path, body);
  if (answer.status >= 300) {
    throw new Error(`${service} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
}

/** The count in the row `name` of the table in region `region` (0 when there is no such row). */
async function tableCount(page: Page, region: string, name: string): Promise<number> {
  const row = page.getByRole('region', { name: region }).getByRole('row', { name });
  if ((await row.count()) === 0) return 0;
  return Number(await row.getByRole('cell').last().innerText());
}

/**
 * Billing books the demo's usage asynchronously (from ingestion's events): wait until its journal
 * for the period stops changing, so the page and the API read the same books.
 */
async function settledJournal(key: string): Promise<void> {
  const read = async () =>
    JSON.stringify(
      (await ok<JournalJson>('billing', key, `/v1/exports/journal?period=${period}&format=json`))
        .totals,
    );
  const deadline = Date.now() + 60_000;
  let previous = await read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const current = await read();
    if (current === previous) return;
    if (Date.now() > deadline) throw new Error(`billing's journal kept changing: ${current}`);
    previous = current;
  }
}

const decimalMicro = (text: string): bigint => {
  const match = /^(\d+)\.(\d{6})$/.exec(text);
  if (match === null) throw new Error(`not a 6-decimal amount: ${text}`);
  return BigInt(`${match[1]}${match[2]}`);
};

interface JournalJson {
  totals: Record<string, { debitMicro: string; creditMicro: string }>;
}
interface StatementJson {
  currencies: Array<{ currency: string; totalMicro: string }>;
}
interface RefusalsJson {
  totals: { count: number; byReason: Record<string, number>; byClass: Record<string, number> };
}

describe('console pages: scarcity, billing, rebound, audit', () => {
  it('shows a refused reservation on the Scarcity page by itself (auto-refresh)', async () => {
    const session = await openBrowser();
    try {
      const { budgetId } = system.demo;
      const refusalsPath = `/v1/budgets/${budgetId}/refusals`;
      await step(session, 'scarcity-sign-in', () =>
        signIn(session.page, system.consoleUrl, system.adminKey),
      );
      const page = session.page;
      const before = await step(session, 'scarcity-before', async () => {
        await page.goto(`${system.consoleUrl}/#/scarcity?budget=${budgetId}`);
        await page.getByRole('heading', { level: 1, name: 'Scarcity' }).waitFor();
        const api = await ok<RefusalsJson>('allocation', system.adminKey, refusalsPath);
        const quota = api.totals.byReason['QUOTA.EXCEEDED'] ?? 0;
        // The page shows what the API says (the demo refused one reservation already).
        await until(
          'QUOTA.EXCEEDED on the page',
          () => tableCount(page, 'Refusals by reason', 'QUOTA.EXCEEDED'),
          (count) => count === quota,
        );
        return {
          quota,
          essential: await tableCount(page, 'Refusals by usefulness class', 'essential'),
        };
      });

      await step(session, 'scarcity-refusal-appears', async () => {
        const refused = await call<{ code: string }>(
          'allocation',
          system.adminKey,
          '/v1/reservations',
          {
            reservationId: `console-e2e-refused-${Date.now()}`,
            unitId: 'dept-customer-care',
            useCase: 'support-chat', // essential: refused for quota, never shed
            amount: '900000000000000',
            timeoutMs: 60_000,
          },
        );
        expect(refused).toEqual({
          status: 422,
          body: expect.objectContaining({ code: 'QUOTA.EXCEEDED' }),
        });
        // No click: the page refreshes itself every 5 s.
        await until(
          'QUOTA.EXCEEDED count after the refusal',
          () => tableCount(page, 'Refusals by reason', 'QUOTA.EXCEEDED'),
          (count) => count === before.quota + 1,
          20_000,
        );
        expect(await tableCount(page, 'Refusals by usefulness class', 'essential')).toBe(
          before.essential + 1,
        );
        const row = page.getByRole('region', { name: 'Units refused most' }).getByRole('row', {
          name: /dept-customer-care/,
        });
        expect(await row.innerText()).toContain('QUOTA.EXCEEDED');
      });
    } finally {
      await session.close();
    }
  });

  it('downloads the journal CSV whose totals equal the JSON export and the statement; closing the open month is refused, the ended one closes', async () => {
    const session = await openBrowser();
    const finance = system.financeKey;
    const unit = system.demo.perimeterId;
    try {
      const page = session.page;
      await settledJournal(finance);
      await step(session, 'billing-sign-in-finance', () =>
        signIn(page, system.consoleUrl, finance),
      );
      await step(session, 'billing-statement', async () => {
        await page.goto(`${system.consoleUrl}/#/billing?period=${period}`);
        // A finance key opens billing only: the units come from billing itself.
        await page.getByRole('heading', { name: `Statement of ${unit}, ${period}` }).waitFor();
        const journal = await ok<JournalJson>(
          'billing',
          finance,
          `/v1/exports/journal?period=${period}&unitId=${unit}&format=json`,
        );
        const eur = journal.totals.EUR;
        expect(eur).toBeDefined();
        const debitCell = page
          .getByRole('region', { name: 'Journal export' })
          .getByRole('row', { name: /^EUR/ })
          .locator('[data-value]')
          .first();
        expect(await debitCell.getAttribute('data-value')).toBe(eur?.debitMicro);
      });

      const csv = await step(session, 'billing-download-csv', async () => {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download CSV' }).click(),
        ]);
        expect(download.suggestedFilename()).toBe(`plafond-journal-${period}.csv`);
        const path = await download.path();
        return readFile(path, 'utf8');
      });

      await step(session, 'billing-csv-totals', async () => {
        const [header, ...rows] = parseCsv(csv);
        const column = (name: string) => header?.indexOf(name) ?? -1;
        const [debitAt, creditAt, currencyAt, costCentreAt] = [
          column('debit'),
          column('credit'),
          column('currency'),
          column('cost_centre'),
        ];
        expect(Math.min(debitAt, creditAt, currencyAt, costCentreAt)).toBeGreaterThanOrEqual(0);
        expect(rows.length).toBeGreaterThan(0);
        const sums = new Map<string, { debit: bigint; credit: bigint; net: bigint }>();
        for (const row of rows) {
          const currency = row[currencyAt] ?? '';
          const entry = sums.get(currency) ?? { debit: 0n, credit: 0n, net: 0n };
          const debit = decimalMicro(row[debitAt] ?? '');
          const credit = decimalMicro(row[creditAt] ?? '');
          entry.debit += debit;
          entry.credit += credit;
          if ((row[costCentreAt] ?? '') !== '') entry.net += debit - credit;
          sums.set(currency, entry);
        }
        const [forUnit, whole, statement] = await Promise.all([
          ok<JournalJson>(
            'billing',
            finance,
            `/v1/exports/journal?period=${period}&unitId=${unit}&format=json`,
          ),
          ok<JournalJson>('billing', finance, `/v1/exports/journal?period=${period}&format=json`),
          ok<StatementJson>('billing', finance, `/v1/units/${unit}/statement?period=${period}`),
        ]);
        const fromCsv = Object.fromEntries(
          [...sums].map(([currency, sum]) => [
            currency,
            { debitMicro: sum.debit.toString(), creditMicro: sum.credit.toString() },
          ]),
        );
        const totalsOnly = (json: JournalJson) =>
          Object.fromEntries(
            Object.entries(json.totals).map(([currency, sum]) => [
              currency,
              { debitMicro: sum.debitMicro, creditMicro: sum.creditMicro },
            ]),
          );
        expect(fromCsv).toEqual(totalsOnly(forUnit));
        expect(fromCsv).toEqual(totalsOnly(whole)); // the perimeter is the whole organisation
        expect(
          Object.fromEntries([...sums].map(([currency, sum]) => [currency, sum.net.toString()])),
        ).toEqual(
          Object.fromEntries(
            statement.currencies.map((entry) => [entry.currency, entry.totalMicro]),
          ),
        );
        // The page checked the same and says so.
        const result = page.getByRole('status').filter({ hasText: 'Downloaded' });
        await result.waitFor();
        const text = await result.innerText();
        expect(text).toContain(`plafond-journal-${period}.csv: ${rows.length} rows`);
        expect(text).toContain('Its totals match the journal totals above.');
        expect(text).toContain('equals the statement total');
      });

      await step(session, 'billing-close-refused', async () => {
        await page.getByRole('button', { name: `Close period ${period}…` }).click();
        const dialog = page.getByRole('dialog', { name: `Close ${period}?` });
        await dialog.waitFor();
        await dialog.getByLabel('Reason (recorded with the close)').fill('console e2e');
        await dialog.getByRole('button', { name: `Close ${period}` }).click();
        const alert = dialog.getByRole('alert');
        await alert.waitFor();
        expect(await alert.innerText()).toContain('BILLING.PERIOD_NOT_ENDED');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden' });
        const periods = await ok<Array<{ period: string; status: string }>>(
          'billing',
          finance,
          '/v1/periods',
        );
        expect(periods.find((entry) => entry.period === period)?.status).toBe('open');
      });

      await step(session, 'billing-close-dialog-keyboard', async () => {
        // The confirmation is modal: focus starts inside it, Tab keeps it inside, Escape
        // cancels and gives the focus back to the button that opened it.
        const opener = page.getByRole('button', { name: `Close period ${period}…` });
        await opener.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: `Close ${period}?` });
        await dialog.waitFor();
        const focusInDialog = () =>
          page.evaluate<boolean>(
            "document.activeElement !== null && document.activeElement.closest('dialog[open]') !== null",
          );
        expect(await focusInDialog()).toBe(true);
        for (let presses = 0; presses < 6; presses += 1) {
          await page.keyboard.press('Tab');
          expect(await focusInDialog()).toBe(true);
        }
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        expect(
          await page.evaluate<string>(
            'document.activeElement ? document.activeElement.textContent : ""',
          ),
        ).toBe(`Close period ${period}…`);
      });

      await step(session, 'billing-close-previous-month', async () => {
        // The month before the demo's has ended and holds no usage: finance may close it.
        const [year, month] = period.split('-').map(Number) as [number, number];
        const previous =
          month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
        await page.goto(`${system.consoleUrl}/#/billing?period=${previous}`);
        const heading = page.getByRole('heading', { name: `Statement of ${unit}, ${previous}` });
        await heading.waitFor();
        expect(await heading.innerText()).toContain('open');
        await page.getByRole('button', { name: `Close period ${previous}…` }).click();
        const dialog = page.getByRole('dialog', { name: `Close ${previous}?` });
        await dialog.getByLabel('Reason (recorded with the close)').fill('console e2e close');
        await dialog.getByRole('button', { name: `Close ${previous}` }).click();
        await dialog.waitFor({ state: 'hidden' });
        await page
          .getByRole('status')
          .filter({ hasText: `${previous} closed: 0 invoices` })
          .waitFor();
        await until(
          'the statement badge after the close',
          () => heading.innerText(),
          (text) => text.includes('closed'),
        );
        // A closed month cannot be closed again: the action is gone.
        expect(await page.getByRole('button', { name: /Close period/ }).count()).toBe(0);
        const periods = await ok<Array<{ period: string; status: string; reason: string | null }>>(
          'billing',
          finance,
          '/v1/periods',
        );
        expect(periods.find((entry) => entry.period === previous)).toMatchObject({
          status: 'closed',
          reason: 'console e2e close',
        });
      });
    } finally {
      await session.close();
    }
  });

  it('highlights the units whose efficiency gain was eaten by volume, as the rebound report says', async () => {
    const session = await openBrowser();
    try {
      const page = session.page;
      await step(session, 'rebound-sign-in', () =>
        signIn(page, system.consoleUrl, system.adminKey),
      );
      await step(session, 'rebound-flagged', async () => {
        const today = new Date().toISOString().slice(0, 10);
        const days: string[] = [];
        for (
          let day = 1;
          `${period}-${String(day).padStart(2, '0')}` <= today && day <= 31;
          day += 1
        ) {
          days.push(`${period}-${String(day).padStart(2, '0')}`);
        }
        const reports = await Promise.all(
          days.map((day) =>
            ok<{ flagged: string[] }>(
              'billing',
              system.adminKey,
              `/v1/reports/rebound?period=${day}`,
            ),
          ),
        );
        const expected = [...new Set(reports.flatMap((report) => report.flagged))].sort();
        if (system.demo.activity !== undefined) expect(expected).toContain('dept-marketing');

        await page.goto(`${system.consoleUrl}/#/rebound?month=${period}`);
        await page.getByRole('heading', { level: 1, name: 'Rebound' }).waitFor();
        if (expected.length === 0) {
          await page.getByText("No unit's efficiency gain was eaten by volume").waitFor();
          return;
        }
        const flagged = page.getByRole('region', { name: 'Efficiency gain eaten by volume' });
        await flagged.waitFor();
        const items = await flagged.getByRole('listitem').allInnerTexts();
        const shown = items.map((item) => /\(([^)]+)\):/.exec(item)?.[1]).sort();
        expect(shown).toEqual(expected);
        for (const item of items) {
          expect(item).toMatch(/energy per request −[\d.]+ % but total energy \+[\d.]+ %/);
        }
        // Each flagged unit's row in the units table carries the "rebound" badge.
        const units = page.getByRole('region', { name: 'Units', exact: true });
        for (const unitId of expected) {
          const row = units.getByRole('row', { name: new RegExp(`\\(${unitId}\\)`) });
          expect(await row.innerText()).toContain('rebound');
        }
      });
    } finally {
      await session.close();
    }
  });

  it('reads a unit’s and the budget’s history with actors, pages older events, and verifies every ledger', async () => {
    const session = await openBrowser();
    try {
      const page = session.page;
      const { budgetId } = system.demo;
      await step(session, 'audit-sign-in', () => signIn(page, system.consoleUrl, system.adminKey));
      await step(session, 'audit-verify', async () => {
        await page.goto(`${system.consoleUrl}/#/audit?budget=${budgetId}`);
        await page.getByRole('button', { name: 'Verify ledgers' }).click();
        const region = page.getByRole('region', { name: 'Ledger verification' });
        await region.getByText('Every ledger verified (Allocation, Ingestion, Billing)').waitFor();
        for (const service of ['Allocation', 'Ingestion', 'Billing']) {
          const cells = await region
            .getByRole('row', { name: new RegExp(`^${service}`) })
            .getByRole('cell')
            .allInnerTexts();
          expect(cells[0]).toBe('ok');
          expect(Number(cells[1])).toBeGreaterThan(0); // events checked
        }
      });

      await step(session, 'audit-unit-history', async () => {
        const unitId = 'dept-marketing';
        const history = await ok<{
          nextBefore: string | null;
          events: Array<{ type: string; actor: string | null }>;
        }>('allocation', system.adminKey, `/v1/units/${unitId}/history?limit=25`);
        await page.getByLabel('Unit', { exact: true }).selectOption(unitId);
        const table = page.getByRole('region', { name: 'Event history' }).getByRole('table');
        const first = history.events[0];
        expect(first).toBeDefined();
        await table
          .getByRole('row')
          .nth(1)
          .getByText(first?.type ?? '')
          .waitFor();
        const cells = await table.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
        expect(cells[1]).toBe(first?.actor ?? '—');
        const shownBefore = await table.getByRole('row').count();
        expect(shownBefore - 1).toBe(history.events.length);
        if (history.nextBefore !== null) {
          await page.getByRole('button', { name: 'Older events' }).click();
          await until(
            'rows after "Older events"',
            () => table.getByRole('row').count(),
            (count) => count > shownBefore,
          );
        }
      });

      await step(session, 'audit-budget-history', async () => {
        await page.getByRole('radio', { name: 'The budget' }).check();
        const table = page.getByRole('region', { name: 'Event history' }).getByRole('table');
        const opened = table.getByRole('row', { name: /BudgetOpened/ });
        await opened.waitFor();
        expect(await opened.innerText()).toMatch(/admin:\w+/);
      });
    } finally {
      await session.close();
    }
  });

  it('an auditor sees Billing and Audit, no close-period button, at tablet width', async () => {
    const created = await ok<{ key: string }>('billing', system.adminKey, '/v1/api-keys', {
      name: 'console e2e auditor',
      role: 'auditor',
    });
    const session = await openBrowser({ width: 820, height: 1180 });
    try {
      const page = session.page;
      await step(session, 'auditor-sign-in', () => signIn(page, system.consoleUrl, created.key));
      await step(session, 'auditor-nav', async () => {
        const nav = page.getByRole('navigation', { name: 'Pages' });
        await nav.getByRole('link', { name: 'Billing' }).waitFor();
        await nav.getByRole('link', { name: 'Audit' }).waitFor();
        expect(await nav.getByRole('link', { name: 'Organisation' }).count()).toBe(0);
      });
      await step(session, 'auditor-billing', async () => {
        await page.goto(`${system.consoleUrl}/#/billing?period=${period}`);
        await page
          .getByRole('heading', { name: `Statement of ${system.demo.perimeterId}, ${period}` })
          .waitFor();
        await page.getByRole('button', { name: 'Download CSV' }).waitFor();
        expect(await page.getByRole('button', { name: /Close period/ }).count()).toBe(0);
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect(overflow).toBeLessThanOrEqual(0);
      });
      await step(session, 'auditor-audit', async () => {
        await page.goto(`${system.consoleUrl}/#/audit`);
        await page.getByRole('button', { name: 'Verify ledgers' }).click();
        const region = page.getByRole('region', { name: 'Ledger verification' });
        await region.getByText('Every ledger verified (Billing)').waitFor();
        const row = await region
          .getByRole('row', { name: /^Billing/ })
          .getByRole('cell')
          .allInnerTexts();
        expect(row[0]).toBe('ok');
      });
    } finally {
      await session.close();
    }
  });
});
