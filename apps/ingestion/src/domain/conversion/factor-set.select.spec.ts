import { CONVERSION_ERROR, FACTORSET_ISSUE } from './errors';
import { checkPublication, selectFactorSet } from './factor-set.select';
import type { FactorSet } from './factor-set.types';
import { factorSet, testSetJson } from './testing/factor-set.fixtures';

const set = (version: string, effectiveFrom: string, effectiveTo?: string): FactorSet =>
  factorSet(testSetJson({ version, effectiveFrom, effectiveTo }));

const versionAt = (published: readonly FactorSet[], occurredAt: string) => {
  const selected = selectFactorSet(published, occurredAt);
  return selected.ok ? selected.value.version : selected.error.code;
};

describe('selectFactorSet', () => {
  // base: open-ended from 2026-01-01; next: from 2026-07-01; fix: corrects Feb-Mar, published last
  const base = set('base', '2026-01-01T00:00:00Z');
  const next = set('next', '2026-07-01T00:00:00Z');
  const fix = set('fix', '2026-02-01T00:00:00Z', '2026-04-01T00:00:00Z');
  const published = [base, next, fix];

  it('picks the set published last among those effective at the instant', () => {
    expect(versionAt(published, '2026-01-15T12:00:00Z')).toBe('base');
    expect(versionAt(published, '2026-02-01T00:00:00Z')).toBe('fix'); // effectiveFrom is inclusive
    expect(versionAt(published, '2026-03-31T23:59:59.999Z')).toBe('fix');
    expect(versionAt(published, '2026-04-01T00:00:00Z')).toBe('base'); // effectiveTo is exclusive
    expect(versionAt(published, '2026-08-01T00:00:00Z')).toBe('next');
  });

  it('compares instants, whatever the offset the usage was written with', () => {
    expect(versionAt(published, '2026-02-01T00:30:00+01:00')).toBe('base'); // 2026-01-31T23:30Z
    expect(versionAt(published, '2026-03-31T23:59:60Z')).toBe('fix'); // leap second
  });

  it('lets a set published later win over its whole window', () => {
    const late = set('late-open', '2026-01-01T00:00:00Z');
    expect(versionAt([...published, late], '2026-08-01T00:00:00Z')).toBe('late-open');
    expect(versionAt([...published, late], '2026-03-01T00:00:00Z')).toBe('late-open');
  });

  it('says when no set is effective, or when the instant is not one', () => {
    expect(versionAt(published, '2025-12-31T23:59:59Z')).toBe(FACTORSET_ISSUE.noneEffective);
    expect(versionAt([], '2026-01-01T00:00:00Z')).toBe(FACTORSET_ISSUE.noneEffective);
    expect(versionAt(published, 'yesterday')).toBe(CONVERSION_ERROR.occurredAtInvalid);
  });
});

describe('checkPublication', () => {
  it('refuses a version that is already published, with VERSION_EXISTS', () => {
    const base = set('base', '2026-01-01T00:00:00Z');
    expect(checkPublication([base], set('base-fix', '2026-01-01T00:00:00Z'))).toEqual([]);
    expect(checkPublication([base], set('base', '2026-03-01T00:00:00Z'))).toEqual([
      expect.objectContaining({ path: 'version', code: FACTORSET_ISSUE.versionExists }),
    ]);
  });
});
