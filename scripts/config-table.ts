// Renders the configuration table (every variable each service reads, from the same validated
// config classes the services boot with) so the docs cannot drift from the code.
//
//   node dist/scripts/config-table.js            print the table
//   node dist/scripts/config-table.js --write    update README.md and docs/configuration-table.md
//   node dist/scripts/config-table.js --check    exit 1 if either file is out of date
//
// test/deploy/config-table.spec.ts fails when the committed tables differ from this output.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeConfig } from '@plafond/platform';
import { AllocationConfig } from '../apps/allocation/src/config';
import { BillingConfig } from '../apps/billing/src/config';
import { ConsoleConfig } from '../apps/console/server/config';
import { IngestionConfig } from '../apps/ingestion/src/config';

export const SERVICE_CONFIGS = [
  { service: 'allocation', configClass: AllocationConfig },
  { service: 'ingestion', configClass: IngestionConfig },
  { service: 'billing', configClass: BillingConfig },
  { service: 'console', configClass: ConsoleConfig },
] as const;

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';
/** Files that embed the table between the markers, relative to the repository root. */
export const TABLE_FILES = ['README.md', 'docs/configuration-table.md'] as const;

export type ConfigVariable = ReturnType<typeof describeConfig>[number];

export function describeService(service: (typeof SERVICE_CONFIGS)[number]['service']) {
  const entry = SERVICE_CONFIGS.find((candidate) => candidate.service === service);
  if (entry === undefined) throw new Error(`CONFIG_TABLE.UNKNOWN_SERVICE: ${service}`);
  return describeConfig(entry.configClass);
}

/** Markdown for one cell: pipes and line breaks would break the table row. */
export function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\r?\n\s*/g, ' ')
    .trim();
}

export function formatDefault(variable: ConfigVariable): string {
  if (variable.default === undefined) return '—';
  if (variable.default === '') return '(empty)';
  return `\`${markdownCell(String(variable.default))}\``;
}

export interface ServiceVariables {
  readonly service: string;
  readonly variables: readonly ConfigVariable[];
}

/** One table row: a variable, and the services that read it with the same meaning. */
export interface TableRow {
  readonly variable: ConfigVariable;
  readonly defaults: ReadonlyMap<string, string>;
}

/**
 * Merges the services' variables into rows, in first-declared order. Services share a row when
 * they read the variable with the same meaning (required, secret, description); their defaults
 * may differ (each service has its own port), and the row lists them per service.
 */
export function tableRows(services: readonly ServiceVariables[]): TableRow[] {
  const rows: { variable: ConfigVariable; defaults: Map<string, string> }[] = [];
  const meaning = (variable: ConfigVariable) =>
    JSON.stringify([variable.name, variable.required, variable.secret, variable.description]);
  for (const { service, variables } of services) {
    for (const variable of variables) {
      const row = rows.find((candidate) => meaning(candidate.variable) === meaning(variable));
      if (row === undefined) {
        rows.push({ variable, defaults: new Map([[service, formatDefault(variable)]]) });
      } else {
        row.defaults.set(service, formatDefault(variable));
      }
    }
  }
  return rows;
}

function defaultCell(defaults: ReadonlyMap<string, string>): string {
  const distinct = new Set(defaults.values());
  const [only] = distinct;
  if (distinct.size === 1 && only !== undefined) return only;
  return [...defaults].map(([service, value]) => `${service}: ${value}`).join(', ');
}

export function renderTable(rows: readonly TableRow[], allServices: readonly string[]): string {
  const lines = rows.map(({ variable, defaults }) => {
    const services = [...defaults.keys()];
    const description = variable.secret
      ? `${variable.description} Secret: never logged.`
      : variable.description;
    const cells = [
      `\`${variable.name}\``,
      services.length === allServices.length ? 'all' : services.join(', '),
      variable.required ? 'yes' : 'no',
      defaultCell(defaults),
      markdownCell(description),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| Variable | Services | Required | Default | Description |',
    '| --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}

/** The whole block that goes between the markers. */
export function renderConfigTable(): string {
  const note =
    '_Generated from the validated config classes by `scripts/config-table.ts`; ' +
    'edit the classes, then run it with `--write`._';
  const services = SERVICE_CONFIGS.map(({ service }) => ({
    service,
    variables: describeService(service),
  }));
  const names = services.map(({ service }) => service);
  return `${note}\n\n${renderTable(tableRows(services), names)}`;
}

/** The text between the markers, trimmed; undefined when the markers are missing. */
export function extractBetweenMarkers(document: string): string | undefined {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return document.slice(start + TABLE_START.length, end).trim();
}

export function replaceBetweenMarkers(document: string, table: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`CONFIG_TABLE.MARKERS_MISSING: add ${TABLE_START} and ${TABLE_END}`);
  }
  return `${document.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${document.slice(end)}`;
}

const configurationTablePage = (table: string): string =>
  [
    '# Configuration',
    '',
    'Every environment variable each service reads. A missing required variable or an invalid',
    'value stops the service at start with a message that names the variable.',
    '',
    TABLE_START,
    '',
    table,
    '',
    TABLE_END,
    '',
  ].join('\n');

const maxParentSearch = 6;

/** The repository root, found from this file whether it runs from scripts/ or dist/scripts/. */
export function findRepositoryRoot(start: string = __dirname): string {
  let directory = start;
  for (let level = 0; level < maxParentSearch; level += 1) {
    if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'apps'))) {
      return directory;
    }
    directory = dirname(directory);
  }
  throw new Error(`CONFIG_TABLE.ROOT_NOT_FOUND: no package.json above ${start}`);
}

interface SyncResult {
  /** Files whose table differs from the generated one (updated when writing). */
  readonly stale: string[];
  /** Files that cannot take the table, with the reason; never written. */
  readonly failed: string[];
}

/** Brings each table file up to date, or reports which are not. */
function syncTableFiles(root: string, table: string, write: boolean): SyncResult {
  const result: SyncResult = { stale: [], failed: [] };
  for (const file of TABLE_FILES) {
    const path = join(root, file);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    let after: string;
    try {
      // The docs page is ours to create; README.md is written by people, so it needs the markers.
      after =
        before === undefined && file.startsWith('docs/')
          ? configurationTablePage(table)
          : replaceBetweenMarkers(before ?? '', table);
    } catch (error) {
      result.failed.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (after === before) continue;
    result.stale.push(file);
    if (write) writeFileSync(path, after);
  }
  return result;
}

function main(argv: readonly string[]): number {
  const table = renderConfigTable();
  if (!argv.includes('--write') && !argv.includes('--check')) {
    process.stdout.write(`${table}\n`);
    return 0;
  }
  const write = argv.includes('--write');
  const { stale, failed } = syncTableFiles(findRepositoryRoot(), table, write);
  for (const file of stale) {
    process.stdout.write(write ? `updated ${file}\n` : `out of date: ${file}\n`);
  }
  for (const problem of failed) process.stderr.write(`${problem}\n`);
  return failed.length > 0 || (!write && stale.length > 0) ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
