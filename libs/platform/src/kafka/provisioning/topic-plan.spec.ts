import { planTopic, resolveDesiredTopics, TOPIC_PROVISIONING_LIMITS } from './topic-plan';
import type { ProvisionableTopicSpec } from './topic-provisioning.types';
import { TopicProvisioningError } from './topic-provisioning.types';

const usage: ProvisionableTopicSpec = {
  name: 'plafond.usage.recorded.v1',
  partitions: 6,
  retentionMs: 604_800_000,
  cleanupPolicy: 'delete',
};

function observed(partitions: number, configs: Record<string, string>) {
  return {
    topic: 'p.plafond.usage.recorded.v1',
    partitions,
    configs: new Map(Object.entries(configs)),
  };
}

function expectInvalid(specs: ProvisionableTopicSpec[], prefix: string, fragment: string): void {
  let caught: unknown;
  try {
    resolveDesiredTopics(specs, prefix);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TopicProvisioningError);
  expect((caught as TopicProvisioningError).code).toBe('KAFKA.TOPIC_SPEC_INVALID');
  expect((caught as TopicProvisioningError).message).toContain(fragment);
}

describe('resolveDesiredTopics', () => {
  it('applies the prefix and turns the spec into topic configuration', () => {
    const forever: ProvisionableTopicSpec = {
      ...usage,
      name: 'plafond.units.v1',
      retentionMs: -1,
      cleanupPolicy: 'compact',
    };
    expect(resolveDesiredTopics([usage, forever], 'p.')).toEqual([
      {
        topic: 'p.plafond.usage.recorded.v1',
        partitions: 6,
        configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
      },
      {
        topic: 'p.plafond.units.v1',
        partitions: 6,
        configs: { 'retention.ms': '-1', 'cleanup.policy': 'compact' },
      },
    ]);
  });

  it.each([
    ['no partitions', { ...usage, partitions: 0 }, 'partitions'],
    ['fractional partitions', { ...usage, partitions: 1.5 }, 'partitions'],
    [
      'too many partitions',
      { ...usage, partitions: TOPIC_PROVISIONING_LIMITS.maxPartitions + 1 },
      'partitions',
    ],
    ['zero retention', { ...usage, retentionMs: 0 }, 'retentionMs'],
    ['negative retention other than -1', { ...usage, retentionMs: -2 }, 'retentionMs'],
    ['NaN retention', { ...usage, retentionMs: Number.NaN }, 'retentionMs'],
    [
      'an unknown cleanup policy',
      { ...usage, cleanupPolicy: 'compact,delete' as 'compact' },
      'cleanupPolicy',
    ],
    ['a name with a space', { ...usage, name: 'has space' }, 'may only contain'],
    ['a name over 249 characters', { ...usage, name: 'x'.repeat(250) }, 'characters'],
  ])('rejects %s', (_label, spec, fragment) => {
    expectInvalid([spec], '', fragment);
  });

  it('rejects a topic listed twice and an illegal prefix', () => {
    expectInvalid([usage, usage], '', 'listed twice');
    expectInvalid([usage], 'a/b.', 'prefix');
  });

  it('rejects more topics than one call may handle', () => {
    const many = Array.from({ length: TOPIC_PROVISIONING_LIMITS.maxTopics + 1 }, (_, i) => ({
      ...usage,
      name: `t${i}`,
    }));
    expectInvalid(many, '', 'at most');
  });
});

describe('planTopic', () => {
  const [desired] = resolveDesiredTopics([usage], 'p.');
  if (desired === undefined) throw new Error('fixture');
  const matching = { 'retention.ms': '604800000', 'cleanup.policy': 'delete' };

  it('creates a topic that does not exist', () => {
    expect(planTopic(desired, undefined)).toEqual({ kind: 'create', desired });
  });

  it('changes nothing on a topic that matches its spec', () => {
    const step = planTopic(desired, observed(6, matching));
    expect(step).toMatchObject({
      kind: 'reconcile',
      raisePartitionsTo: undefined,
      configChanges: [],
      warnings: [],
    });
  });

  it('raises partitions that are too few and corrects drifted configuration', () => {
    const step = planTopic(
      desired,
      observed(2, { 'retention.ms': '1000', 'cleanup.policy': 'delete' }),
    );
    expect(step).toMatchObject({
      kind: 'reconcile',
      raisePartitionsTo: 6,
      configChanges: [{ name: 'retention.ms', from: '1000', to: '604800000' }],
      warnings: [],
    });
  });

  it('never lowers partitions, and says so', () => {
    const step = planTopic(desired, observed(12, matching));
    expect(step).toMatchObject({
      kind: 'reconcile',
      raisePartitionsTo: undefined,
      configChanges: [],
    });
    expect(step.kind === 'reconcile' && step.warnings).toEqual([
      expect.stringContaining('12 partitions'),
    ]);
  });

  it('treats a configuration the broker did not report as a change', () => {
    const step = planTopic(desired, observed(6, { 'retention.ms': '604800000' }));
    expect(step).toMatchObject({
      configChanges: [{ name: 'cleanup.policy', from: undefined, to: 'delete' }],
    });
  });
});
