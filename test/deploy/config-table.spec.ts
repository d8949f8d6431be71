// The configuration tables in the docs are the ones generated from the validated config classes.
import {
  ConfigVariable,
  describeService,
  extractBetweenMarkers,
  formatDefault,
  markdownCell,
  renderConfigTable,
  renderTable,
  replaceBetweenMarkers,
  SERVICE_CONFIGS,
  ServiceVariables,
  tableRows,
  TABLE_END,
  TABLE_FILES,
  TABLE_START,
} from '../../scripts/config-table';
import { readRepositoryFile } from './manifests';

const fix = 'run `npm run build && node dist/scripts/config-table.js --write`';

describe.each(TABLE_FILES)('%s', (file) => {
  it(`holds the generated configuration table between the markers (${fix})`, () => {
    const committed = extractBetweenMarkers(readRepositoryFile(file));
    expect(committed).toBe(renderConfigTable());
  });
});

describe('renderConfigTable', () => {
  const table = renderConfigTable();
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));

  it('has a row for every variable any service reads, each with five cells', () => {
    const names = new Set(
      SERVICE_CONFIGS.flatMap(({ service }) => describeService(service).map((v) => v.name)),
    );
    expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual([...names]);
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(7);
  });
});

describe('renderTable', () => {
  const variable = (overrides: Partial<ConfigVariable>): ConfigVariable => ({
    name: 'PORT',
    required: false,
    description: 'HTTP port.',
    secret: false,
    ...overrides,
  });
  const render = (services: ServiceVariables[]) =>
    renderTable(
      tableRows(services),
      services.map(({ service }) => service),
    )
      .split('\n')
      .slice(2);

  it('shares a row between services, listing their defaults where they differ', () => {
    expect(
      render([
        { service: 'a', variables: [variable({ default: 3001 }), variable({ name: 'X' })] },
        { service: 'b', variables: [variable({ default: 3002 }), variable({ name: 'X' })] },
      ]),
    ).toEqual([
      '| `PORT` | all | no | a: `3001`, b: `3002` | HTTP port. |',
      '| `X` | all | no | — | HTTP port. |',
    ]);
  });

  it('names the services of a variable only some read, and marks required and secret ones', () => {
    const url = variable({ name: 'URL', required: true, secret: true, description: 'a|b' });
    expect(
      render([
        { service: 'a', variables: [url, variable({ name: 'P', default: '' })] },
        { service: 'b', variables: [url] },
      ]),
    ).toEqual([
      '| `URL` | all | yes | — | a\\|b Secret: never logged. |',
      '| `P` | a | no | (empty) | HTTP port. |',
    ]);
  });

  it('keeps table syntax out of cells', () => {
    expect(markdownCell('one\n  two | three')).toBe('one two \\| three');
    expect(formatDefault(variable({ default: 'a|b' }))).toBe('`a\\|b`');
  });
});

describe('replaceBetweenMarkers', () => {
  const document = `# Title\n\n${TABLE_START}\nold\n${TABLE_END}\n\nAfter.\n`;

  it('replaces only the text between the markers and round-trips through extract', () => {
    const updated = replaceBetweenMarkers(document, 'new table');
    expect(updated).toBe(`# Title\n\n${TABLE_START}\n\nnew table\n\n${TABLE_END}\n\nAfter.\n`);
    expect(extractBetweenMarkers(updated)).toBe('new table');
    expect(replaceBetweenMarkers(updated, 'new table')).toBe(updated);
  });

  it('refuses a document without the markers, naming them', () => {
    expect(() => replaceBetweenMarkers('# Title\n', 'table')).toThrow(
      /CONFIG_TABLE\.MARKERS_MISSING.*config-table:start/,
    );
    expect(extractBetweenMarkers(`${TABLE_END}\n${TABLE_START}`)).toBeUndefined();
  });
});
