import type { AllocationTreeNode } from '../domain/criteria';
import { parseAttributeOverrides, withAttributeOverrides } from './allocation-rounds';

const tree: AllocationTreeNode = {
  unitId: 'acme',
  attributes: {},
  children: [
    { unitId: 'search', attributes: { headcount: 30n, revenue: 5n }, children: [] },
    { unitId: 'ads', attributes: { headcount: 10n }, children: [] },
  ],
};

const fieldOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return (error as { code: string; details: { field: string } }).details.field;
  }
  return 'no error';
};

describe('attributeOverrides (what-if weights of a preview)', () => {
  it('parses weights as PUT attributes does: integers, decimals, null to leave one out', () => {
    expect(
      parseAttributeOverrides({ search: { headcount: '37.5', revenue: null }, ads: {} }),
    ).toEqual({ search: { headcount: { value: 375n, scale: 1 }, revenue: null }, ads: {} });
  });

  it('replaces only the named weights of the named units, leaving the tree given intact', () => {
    const overrides = parseAttributeOverrides({ search: { revenue: null, headcount: '3' } });
    const changed = withAttributeOverrides(tree, overrides);
    expect(changed.children?.[0]?.attributes).toEqual({ headcount: 3n });
    expect(changed.children?.[1]?.attributes).toEqual({ headcount: 10n });
    expect(tree.children?.[0]?.attributes).toEqual({ headcount: 30n, revenue: 5n });
  });

  it('names the override that is wrong in COMMAND.INVALID', () => {
    expect(fieldOf(() => parseAttributeOverrides([]))).toBe('attributeOverrides');
    expect(fieldOf(() => parseAttributeOverrides({ ads: 'x' }))).toBe('attributeOverrides.ads');
    expect(fieldOf(() => parseAttributeOverrides({ ads: { headcount: '1e3' } }))).toBe(
      'attributeOverrides.ads.headcount',
    );
    expect(fieldOf(() => parseAttributeOverrides({ ads: { '': '1' } }))).toBe(
      'attributeOverrides.ads',
    );
    const outside = parseAttributeOverrides({ elsewhere: { headcount: '1' } });
    expect(fieldOf(() => withAttributeOverrides(tree, outside))).toBe(
      'attributeOverrides.elsewhere',
    );
  });
});
