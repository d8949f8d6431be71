import { preview } from '../criteria';
import { caught } from '../testing/fixtures';
import { evolveOrganisation, initialOrganisationState } from './organisation.evolve';
import {
  allocationTree,
  ancestry,
  attributesAsOf,
  isInSubtree,
  subtree,
} from './organisation.queries';
import type { OrganisationEvent, StoredWeight } from './organisation.types';

const created = (unitId: string, parentId: string | null): OrganisationEvent => ({
  type: 'UnitCreated',
  data: { unitId, parentId, name: unitId.toUpperCase() },
});
const attributes = (
  unitId: string,
  effectiveFrom: string,
  values: Record<string, StoredWeight | null>,
): OrganisationEvent => ({
  type: 'UnitAttributesSet',
  data: { unitId, effectiveFrom, attributes: values },
});
const events: OrganisationEvent[] = [
  created('acme', null),
  created('sales', 'acme'),
  created('sales-eu', 'sales'),
  created('rnd', 'acme'),
  created('old', 'acme'),
  { type: 'UnitArchived', data: { unitId: 'old' } },
  { type: 'UnitMoved', data: { unitId: 'sales-eu', fromParentId: 'sales', toParentId: 'rnd' } },
  attributes('sales', '2026-01-01', { headcount: '40' }),
  attributes('rnd', '2026-01-01', { headcount: '60', revenue: { value: '150', scale: 1 } }),
  attributes('rnd', '2026-03-01', { headcount: '80', revenue: null }),
  attributes('rnd', '2026-03-01', { headcount: '90' }),
];
const state = events.reduce(evolveOrganisation, initialOrganisationState());

describe('subtree', () => {
  it('nests active units under the root, after moves', () => {
    const root = subtree(state, 'acme');
    const shape = (node: typeof root): unknown => [
      node.unitId,
      node.depth,
      node.children.map(shape),
    ];
    expect(shape(root)).toEqual([
      'acme',
      0,
      [
        ['sales', 1, []],
        ['rnd', 1, [['sales-eu', 2, []]]],
      ],
    ]);
    expect(
      subtree(state, 'acme', { includeArchived: true }).children.map((child) => child.unitId),
    ).toEqual(['sales', 'rnd', 'old']);
    expect(subtree(state, 'rnd')).toMatchObject({
      unitId: 'rnd',
      name: 'RND',
      parentId: 'acme',
      archived: false,
    });
  });

  it('refuses an unknown unit', () => {
    expect(caught(() => subtree(state, 'ghost')).code).toBe('UNIT.NOT_FOUND');
  });

  it('walks up to the root', () => {
    expect(ancestry(state, 'sales-eu')).toEqual(['sales-eu', 'rnd', 'acme']);
    expect([
      isInSubtree(state, 'rnd', 'sales-eu'),
      isInSubtree(state, 'sales', 'sales-eu'),
    ]).toEqual([true, false]);
  });
});

describe('attributesAsOf', () => {
  it('resolves each attribute from the latest version effective on the date; later events win ties', () => {
    expect(attributesAsOf(state, 'rnd', '2025-12-31')).toEqual({});
    expect(attributesAsOf(state, 'rnd', '2026-02-28')).toEqual({
      headcount: 60n,
      revenue: { value: 150n, scale: 1 },
    });
    expect(attributesAsOf(state, 'rnd', '2026-03-01')).toEqual({ headcount: 90n });
  });

  it('refuses a malformed date', () => {
    expect(caught(() => attributesAsOf(state, 'rnd', '2026-3-1')).code).toBe('COMMAND.INVALID');
  });
});

describe('allocationTree', () => {
  it('feeds the criteria with the attributes effective on the allocation date', () => {
    const tree = allocationTree(state, 'acme', '2026-03-01');
    const result = preview(
      tree,
      {
        acme: {
          rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10_000 }] },
        },
        rnd: { rule: { kind: 'static', members: [{ childId: 'sales-eu', amount: 10n }] } },
      },
      1_300n,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect([
      result.value.units.sales?.amount,
      result.value.units.rnd?.amount,
      result.value.units['sales-eu']?.amount,
    ]).toEqual([400n, 900n, 10n]);
  });
});
