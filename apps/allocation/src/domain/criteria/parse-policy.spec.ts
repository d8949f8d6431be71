import fc from 'fast-check';
import { parsePolicy } from './parse-policy';
import { serialisePolicy } from './serialise';
import { anyScenarioArb } from './testing/criteria.arbitraries';
import { reasonsOf, unwrap, unwrapError } from './testing/results';

describe('parsePolicy', () => {
  it('reads integer strings and safe integers exactly', () => {
    const policy = unwrap(
      parsePolicy({
        contingency: { amount: '123456789012345678901234567890' },
        rule: {
          kind: 'fairShare',
          members: [
            { childId: 'a', demand: 5, floor: '1' },
            { childId: 'b', demand: '7', cap: '9' },
          ],
        },
      }),
    );
    expect(policy).toEqual({
      contingency: { amount: 123456789012345678901234567890n },
      rule: {
        kind: 'fairShare',
        members: [
          { childId: 'a', demand: 5n, floor: 1n },
          { childId: 'b', demand: 7n, cap: 9n },
        ],
      },
    });
  });

  it('refuses floats, exponents, unsafe numbers and unknown kinds with paths', () => {
    const error = unwrapError(
      parsePolicy({
        contingency: { basisPoints: 10.5 },
        rule: {
          kind: 'static',
          members: [
            { childId: 'a', amount: '1.5' },
            { childId: 'b', amount: '1e3' },
            { childId: 'c', amount: 2 ** 60 },
            { childId: '', amount: '01' },
          ],
        },
      }),
    );
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(error.details.issues.map((issue) => issue.path)).toEqual([
      'policy.rule.members[0].amount',
      'policy.rule.members[1].amount',
      'policy.rule.members[2].amount',
      'policy.rule.members[3].childId',
      'policy.rule.members[3].amount',
      'policy.contingency.basisPoints',
    ]);
    expect(reasonsOf(unwrapError(parsePolicy({ rule: { kind: 'lottery' } })))).toEqual([
      'UNKNOWN_RULE',
    ]);
    expect(
      reasonsOf(
        unwrapError(parsePolicy({ rule: { kind: 'tiers', mode: 'x', tiers: [], members: [] } })),
      ),
    ).toEqual(['UNKNOWN_RULE']);
    expect(reasonsOf(unwrapError(parsePolicy(null)))).toEqual(['EMPTY', 'EMPTY']);
  });

  it('bounds lists before reading them', () => {
    const members = Array.from({ length: 3 }, (_, index) => ({
      childId: `c${index}`,
      amount: '1',
    }));
    expect(
      reasonsOf(unwrapError(parsePolicy({ rule: { kind: 'static', members } }, 'policy', 2))),
    ).toEqual(['TOO_MANY']);
  });

  it('is the inverse of serialisePolicy', () => {
    fc.assert(
      fc.property(anyScenarioArb, ({ policy }) => {
        const json: unknown = JSON.parse(JSON.stringify(serialisePolicy(policy)));
        expect(unwrap(parsePolicy(json))).toEqual(policy);
      }),
      { numRuns: 200 },
    );
  });
});
