import type { AllocatedUnit } from '../api/types';
import {
  attributeOverrides,
  attributesUsed,
  boundByKind,
  compareAllocations,
  contributionsTotal,
  getIn,
  setIn,
  weightsUsed,
} from './whatif';

const unit = (
  unitId: string,
  parentId: string | null,
  amount: string,
  contributions: AllocatedUnit['explanation'] = null,
): AllocatedUnit => ({
  unitId,
  parentId,
  depth: parentId ? 1 : 0,
  amount,
  explanation: contributions,
  split: null,
  spendable: amount,
});

describe('compareAllocations', () => {
  it('gives current, preview and exact delta per unit', () => {
    const rows = compareAllocations(
      [unit('org', null, '100'), unit('a', 'org', '60'), unit('gone', 'org', '40')],
      [unit('org', null, '100'), unit('a', 'org', '9007199254740993'), unit('new', 'org', '5')],
    );
    expect(rows.map((row) => [row.unitId, row.current, row.preview, row.delta])).toEqual([
      ['org', '100', '100', 0n],
      ['a', '60', '9007199254740993', 9007199254740933n],
      ['new', null, '5', 5n],
      ['gone', '40', null, -40n],
    ]);
  });
});

describe('explanations', () => {
  const explained = unit('a', 'org', '70', {
    contributions: [
      { criterion: 'floor', amount: '20' },
      { criterion: 'weight', attribute: 'headcount', weight: '80', amount: '50' },
    ],
    boundBy: 'floor',
  });

  it('sums contributions and reads boundBy', () => {
    expect(contributionsTotal(explained.explanation)).toBe(70n);
    expect(contributionsTotal(null)).toBe(0n);
    expect(boundByKind('cap')).toBe('cap');
    expect(boundByKind({ kind: 'demand' })).toBe('demand');
    expect(boundByKind(null)).toBeNull();
  });

  it('reads the weights a round used', () => {
    const used = weightsUsed([explained, unit('org', null, '100')]);
    expect(used.get('a')?.get('headcount')).toBe('80');
    expect(used.has('org')).toBe(false);
  });

  it('reads a tier weight back through the tier multiplier (weighted mode)', () => {
    const tierUnit = (unitId: string, tier: string, weight: string) =>
      unit(unitId, 'bu', '1', {
        contributions: [{ criterion: 'tier', tier, rank: 0, weight, amount: '1' }],
        boundBy: null,
      });
    const policies = {
      bu: {
        rule: {
          kind: 'tiers',
          mode: 'weighted',
          weightAttribute: 'headcount',
          tiers: [{ tier: 'essential', multiplier: '3' }, { tier: 'standard' }],
        },
      },
    };
    const used = weightsUsed(
      [
        tierUnit('care', 'essential', '150'),
        tierUnit('research', 'standard', '25'),
        tierUnit('odd', 'essential', '10'),
      ],
      policies,
    );
    expect(used.get('care')?.get('headcount')).toBe('50');
    expect(used.get('research')?.get('headcount')).toBe('25');
    expect(used.has('odd')).toBe(false); // 10 is not a multiple of 3: unknown, left unchanged
    const priority = weightsUsed([tierUnit('care', 'essential', '150')], {
      bu: { rule: { ...policies.bu.rule, mode: 'priority' } },
    });
    expect(priority.get('care')?.get('headcount')).toBe('150');
  });

  it('lists the attributes the policies name', () => {
    expect(
      attributesUsed({
        org: {
          rule: {
            kind: 'weights',
            components: [{ attribute: 'revenue' }, { attribute: 'headcount' }],
          },
        },
        bu: { rule: { kind: 'tiers', weightAttribute: 'headcount' } },
        x: null,
      }),
    ).toEqual(['headcount', 'revenue']);
  });
});

describe('setIn / getIn', () => {
  it('updates a copy, creating and removing keys', () => {
    const policies = { org: { rule: { components: [{ attribute: 'h', basisPoints: 10000 }] } } };
    const next = setIn(policies, ['org', 'rule', 'components', 0, 'basisPoints'], 6000);
    expect(getIn(next, ['org', 'rule', 'components', 0, 'basisPoints'])).toBe(6000);
    expect(policies.org.rule.components[0]?.basisPoints).toBe(10000);
    const withContingency = setIn(next, ['org', 'contingency'], { basisPoints: 500 });
    expect(getIn(withContingency, ['org', 'contingency', 'basisPoints'])).toBe(500);
    const without = setIn(withContingency, ['org', 'contingency'], undefined);
    expect(Object.keys(without.org)).toEqual(['rule']);
  });
});

describe('attributeOverrides', () => {
  it('keeps only changed, non-empty weights', () => {
    const used = new Map([['a', new Map([['headcount', '80']])]]);
    expect(
      attributeOverrides(
        { a: { headcount: '80' }, b: { headcount: ' 40 ' }, c: { headcount: '' } },
        used,
      ),
    ).toEqual({ b: { headcount: '40' } });
    expect(attributeOverrides({ a: { headcount: '120' } }, used)).toEqual({
      a: { headcount: '120' },
    });
  });
});
