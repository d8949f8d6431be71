import { DeciderSpecification } from '@plafond/ledger';
import { DOMAIN_LIMITS } from '../shared/limits';
import { caught, command } from '../testing/fixtures';
import {
  DEFAULT_USEFULNESS_CLASSES,
  catalogDecider,
  evolveCatalog,
  initialCatalogState,
  resolveUseCase,
} from './catalog.decide';
import type { CatalogEvent, ClassRule, UsefulnessClass } from './catalog.types';

const given = DeciderSpecification.for(catalogDecider);
const essential: UsefulnessClass = {
  className: 'essential',
  description: 'Needed to run the business',
  rule: { kind: 'allowed' },
};
const classes: CatalogEvent[] = DEFAULT_USEFULNESS_CLASSES.map((data) => ({
  type: 'UsefulnessClassDefined',
  data,
}));
const registered = (useCase: string, className: string): CatalogEvent => ({
  type: 'UseCaseRegistered',
  data: { useCase, className, description: `${useCase} use` },
});
const catalog = [
  ...classes,
  registered('chat', 'standard'),
  registered('image-gen', 'discretionary'),
];
const register = (useCase: string, className: string) =>
  command('RegisterUseCase', { useCase, className, description: `${useCase} use` });

describe('usefulness classes', () => {
  it('defines a class with its rule; the same definition again changes nothing', () => {
    const triage = {
      className: 'triage',
      description: 'Incident triage',
      rule: { kind: 'allowed', capShareBasisPoints: 2_500 } as ClassRule,
    };
    given(classes)
      .when(command('DefineUsefulnessClass', triage))
      .then({ type: 'UsefulnessClassDefined', data: triage });
    given(classes).when(command('DefineUsefulnessClass', essential)).thenNothingHappened();
    given(classes)
      .when(command('DefineUsefulnessClass', { ...triage, className: 'essential' }))
      .thenThrows('CATALOG.CLASS_ALREADY_EXISTS');
  });

  it('refuses malformed rules and more classes than the limit', () => {
    const bad = {
      className: 'x',
      description: 'x',
      rule: { kind: 'allowed', capShareBasisPoints: 10_001 } as ClassRule,
    };
    given([]).when(command('DefineUsefulnessClass', bad)).thenThrows('COMMAND.INVALID');
    given([])
      .when(command('DefineUsefulnessClass', { ...bad, rule: { kind: 'maybe' } as never }))
      .thenThrows('COMMAND.INVALID');
    const many: CatalogEvent[] = Array.from(
      { length: DOMAIN_LIMITS.usefulnessClasses },
      (_, index) => ({
        type: 'UsefulnessClassDefined',
        data: { className: `c${index}`, description: 'c', rule: { kind: 'allowed' } },
      }),
    );
    given(many)
      .when(
        command('DefineUsefulnessClass', {
          className: 'one-more',
          description: 'c',
          rule: { kind: 'prohibited' },
        }),
      )
      .thenThrows('CATALOG.LIMIT_EXCEEDED');
  });

  it('changes a class rule', () => {
    given(classes)
      .when(
        command('ChangeClassRule', { className: 'discretionary', rule: { kind: 'prohibited' } }),
      )
      .then({
        type: 'UsefulnessClassRuleChanged',
        data: { className: 'discretionary', rule: { kind: 'prohibited' } },
      });
    given(classes)
      .when(command('ChangeClassRule', { className: 'essential', rule: { kind: 'allowed' } }))
      .thenNothingHappened();
    given(classes)
      .when(command('ChangeClassRule', { className: 'ghost', rule: { kind: 'allowed' } }))
      .thenThrows('CATALOG.CLASS_NOT_FOUND');
  });
});

describe('use cases', () => {
  it('registers a use case in a class, once', () => {
    given(classes).when(register('chat', 'standard')).then(registered('chat', 'standard'));
    given(catalog).when(register('chat', 'standard')).thenNothingHappened();
    given(catalog)
      .when(register('chat', 'essential'))
      .thenThrows('CATALOG.USE_CASE_ALREADY_EXISTS');
    given(classes).when(register('chat', 'ghost')).thenThrows('CATALOG.CLASS_NOT_FOUND');
  });

  it('reclassifies and retires use cases', () => {
    given(catalog)
      .when(command('ReclassifyUseCase', { useCase: 'chat', className: 'essential' }))
      .then({
        type: 'UseCaseReclassified',
        data: { useCase: 'chat', fromClassName: 'standard', toClassName: 'essential' },
      });
    given(catalog)
      .when(command('RetireUseCase', { useCase: 'chat' }))
      .then({ type: 'UseCaseRetired', data: { useCase: 'chat' } });
    const retired = [
      ...catalog,
      { type: 'UseCaseRetired', data: { useCase: 'chat' } } as CatalogEvent,
    ];
    given(retired)
      .when(command('RetireUseCase', { useCase: 'chat' }))
      .thenNothingHappened();
    given(retired)
      .when(command('ReclassifyUseCase', { useCase: 'chat', className: 'essential' }))
      .thenThrows('CATALOG.USE_CASE_RETIRED');
    given(catalog)
      .when(command('RetireUseCase', { useCase: 'ghost' }))
      .thenThrows('CATALOG.USE_CASE_NOT_FOUND');
  });

  it('resolves a use case to its class rule for reservations', () => {
    const changed: CatalogEvent = {
      type: 'UsefulnessClassRuleChanged',
      data: { className: 'discretionary', rule: { kind: 'prohibited' } },
    };
    const state = [
      ...catalog,
      changed,
      { type: 'UseCaseRetired', data: { useCase: 'chat' } } as CatalogEvent,
    ].reduce(evolveCatalog, initialCatalogState());
    expect(resolveUseCase(state, 'image-gen')).toEqual({
      useCase: 'image-gen',
      className: 'discretionary',
      rule: { kind: 'prohibited' },
    });
    expect(caught(() => resolveUseCase(state, 'chat')).code).toBe('CATALOG.USE_CASE_RETIRED');
    expect(caught(() => resolveUseCase(state, 'ghost')).code).toBe('CATALOG.USE_CASE_NOT_FOUND');
    expect(state.classOrder).toEqual(['essential', 'standard', 'discretionary']);
  });
});
