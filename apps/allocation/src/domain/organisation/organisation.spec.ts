import { DeciderSpecification } from '@plafond/ledger';
import { DOMAIN_LIMITS } from '../shared/limits';
import { command } from '../testing/fixtures';
import { organisationDecider } from './organisation.decide';
import type { OrganisationEvent } from './organisation.types';

const given = DeciderSpecification.for(organisationDecider);
const created = (unitId: string, parentId: string | null, name = unitId): OrganisationEvent => ({
  type: 'UnitCreated',
  data: { unitId, parentId, name },
});
const archived = (unitId: string): OrganisationEvent => ({
  type: 'UnitArchived',
  data: { unitId },
});
// acme → sales → sales-eu; acme → rnd
const tree = [
  created('acme', null),
  created('sales', 'acme'),
  created('sales-eu', 'sales'),
  created('rnd', 'acme'),
];
const create = (unitId: string, parentId: string | null, name = unitId) =>
  command('CreateUnit', { unitId, parentId, name });
const move = (unitId: string, newParentId: string | null) =>
  command('MoveUnit', { unitId, newParentId });
const archive = (unitId: string, openAllocationCount = 0) =>
  command('ArchiveUnit', { unitId, openAllocationCount });

describe('CreateUnit', () => {
  it('creates roots and children; a retry changes nothing', () => {
    given([]).when(create('acme', null)).then(created('acme', null));
    given(tree)
      .when(create('ops', 'acme', 'Operations'))
      .then(created('ops', 'acme', 'Operations'));
    given(tree).when(create('rnd', 'acme')).thenNothingHappened();
  });

  it('refuses a taken id, an unknown or archived parent, and bad ids', () => {
    given(tree).when(create('rnd', 'sales')).thenThrows('UNIT.ALREADY_EXISTS');
    given(tree).when(create('ops', 'ghost')).thenThrows('UNIT.NOT_FOUND');
    given([...tree, archived('rnd')])
      .when(create('lab', 'rnd'))
      .thenThrows('UNIT.ARCHIVED');
    given([]).when(create('', null)).thenThrows('COMMAND.INVALID');
    given([]).when(create(' padded', null)).thenThrows('COMMAND.INVALID');
  });

  it('refuses a tree deeper than the limit', () => {
    const chain = [created('u0', null)];
    for (let depth = 1; depth <= DOMAIN_LIMITS.treeDepth; depth += 1)
      chain.push(created(`u${depth}`, `u${depth - 1}`));
    given(chain)
      .when(create('too-deep', `u${DOMAIN_LIMITS.treeDepth}`))
      .thenThrows('UNIT.TOO_DEEP');
  });

  it('keeps ids that shadow Object.prototype apart from it', () => {
    given([]).when(create('constructor', null)).then(created('constructor', null));
    given([created('__proto__', null)])
      .when(create('toString', '__proto__'))
      .then(created('toString', '__proto__'));
  });
});

describe('RenameUnit', () => {
  it('renames, and does nothing for the same name', () => {
    given(tree)
      .when(command('RenameUnit', { unitId: 'rnd', name: 'Research' }))
      .then({
        type: 'UnitRenamed',
        data: { unitId: 'rnd', name: 'Research', previousName: 'rnd' },
      });
    given(tree)
      .when(command('RenameUnit', { unitId: 'rnd', name: 'rnd' }))
      .thenNothingHappened();
    given(tree)
      .when(command('RenameUnit', { unitId: 'ghost', name: 'x' }))
      .thenThrows('UNIT.NOT_FOUND');
  });
});

describe('MoveUnit', () => {
  it('moves a unit under another parent, or to the top', () => {
    given(tree)
      .when(move('sales-eu', 'rnd'))
      .then({
        type: 'UnitMoved',
        data: { unitId: 'sales-eu', fromParentId: 'sales', toParentId: 'rnd' },
      });
    given(tree)
      .when(move('rnd', null))
      .then({ type: 'UnitMoved', data: { unitId: 'rnd', fromParentId: 'acme', toParentId: null } });
    given(tree).when(move('rnd', 'acme')).thenNothingHappened();
  });

  it('refuses cycles: below itself or below one of its descendants', () => {
    given(tree).when(move('sales', 'sales')).thenThrows('UNIT.CYCLE');
    given(tree).when(move('acme', 'sales-eu')).thenThrows('UNIT.CYCLE');
  });

  it('refuses unknown or archived units and a move that makes the tree too deep', () => {
    given(tree).when(move('ghost', 'acme')).thenThrows('UNIT.NOT_FOUND');
    given(tree).when(move('rnd', 'ghost')).thenThrows('UNIT.NOT_FOUND');
    given([...tree, archived('rnd')])
      .when(move('sales', 'rnd'))
      .thenThrows('UNIT.ARCHIVED');
    const chain = [created('u0', null)];
    for (let depth = 1; depth < DOMAIN_LIMITS.treeDepth; depth += 1)
      chain.push(created(`u${depth}`, `u${depth - 1}`));
    given([...chain, ...tree])
      .when(move('sales', `u${DOMAIN_LIMITS.treeDepth - 1}`))
      .thenThrows('UNIT.TOO_DEEP');
  });
});

describe('ArchiveUnit', () => {
  it('archives a unit without open allocations or active children, once', () => {
    given(tree).when(archive('rnd')).then(archived('rnd'));
    given([...tree, archived('rnd')])
      .when(archive('rnd'))
      .thenNothingHappened();
  });

  it('refuses while the unit holds allocations in open budgets, or has active children', () => {
    given(tree).when(archive('rnd', 2)).thenThrows('UNIT.HAS_OPEN_ALLOCATIONS');
    given(tree).when(archive('sales')).thenThrows('UNIT.HAS_ACTIVE_CHILDREN');
    given([...tree, archived('sales-eu')])
      .when(archive('sales'))
      .then(archived('sales'));
    given(tree).when(archive('rnd', -1)).thenThrows('COMMAND.INVALID');
  });
});

describe('SetUnitAttributes', () => {
  const set = (
    attributes: Record<string, bigint | { value: bigint; scale: number } | null>,
    effectiveFrom = '2026-01-01',
  ) => command('SetUnitAttributes', { unitId: 'rnd', effectiveFrom, attributes });

  it('stores weights as strings, exact decimals included', () => {
    given(tree)
      .when(set({ headcount: 42n, revenue: { value: 123_456n, scale: 2 }, legacy: null }))
      .then({
        type: 'UnitAttributesSet',
        data: {
          unitId: 'rnd',
          effectiveFrom: '2026-01-01',
          attributes: { headcount: '42', revenue: { value: '123456', scale: 2 }, legacy: null },
        },
      });
  });

  it('refuses bad dates, negative or fractional weights, empty sets, and archived units', () => {
    given(tree)
      .when(set({ headcount: 1n }, '2026-02-30'))
      .thenThrows('COMMAND.INVALID');
    given(tree)
      .when(set({ headcount: -1n }))
      .thenThrows('COMMAND.INVALID');
    given(tree)
      .when(set({ headcount: 1.5 as never }))
      .thenThrows('COMMAND.INVALID');
    given(tree)
      .when(set({ revenue: { value: 1n, scale: 19 } }))
      .thenThrows('COMMAND.INVALID');
    given(tree).when(set({})).thenThrows('COMMAND.INVALID');
    given([...tree, archived('rnd')])
      .when(set({ headcount: 1n }))
      .thenThrows('UNIT.ARCHIVED');
  });

  it('bounds the versions kept per unit: UNIT.LIMIT_EXCEEDED', () => {
    const versions: OrganisationEvent[] = Array.from(
      { length: DOMAIN_LIMITS.attributeVersionsPerUnit },
      () => ({
        type: 'UnitAttributesSet',
        data: { unitId: 'rnd', effectiveFrom: '2026-01-01', attributes: { headcount: '1' } },
      }),
    );
    given([...tree, ...versions])
      .when(set({ headcount: 2n }))
      .thenThrows('UNIT.LIMIT_EXCEEDED');
  });
});
