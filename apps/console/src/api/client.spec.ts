import { filenameOf, query } from './client';

describe('filenameOf', () => {
  it.each([
    ['attachment; filename="plafond-journal-2026-11.csv"', 'plafond-journal-2026-11.csv'],
    ['attachment; filename=plain.csv', 'plain.csv'],
    ["attachment; filename*=UTF-8''journal%20nov.csv", 'journal nov.csv'],
    ['attachment; filename="a \\"quoted\\" name.csv"', 'a "quoted" name.csv'],
    ['attachment; filename="../../etc/passwd"', '.._.._etc_passwd'],
    ['attachment; filename*=UTF-8\'\'%E0%A4%A; filename="fallback.csv"', 'fallback.csv'],
    ['attachment; filename=".."', null],
    ['attachment', null],
    [null, null],
  ])('%j → %j', (header, name) => {
    expect(filenameOf(header)).toBe(name);
  });
});

describe('query', () => {
  it('keeps the defined, non-empty parameters, encoded', () => {
    expect(query({ period: '2026-11', unitId: undefined, a: null, b: '', flag: true })).toBe(
      '?period=2026-11&flag=true',
    );
    expect(query({ name: 'a b&c' })).toBe('?name=a+b%26c');
    expect(query({})).toBe('');
  });
});
