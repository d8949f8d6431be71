// Billing profiles and the allocation directory on real PostgreSQL: validation, inheritance down
// the unit tree, the tree walks, overrun debits, and the currency a usage is charged in.
import {
  createBillingTestKit,
  FINANCE,
  rejectionOf,
  scheduleInput,
  usageIdOf,
  usageRecorded,
  type BillingTestKit,
} from './testing/billing-test-kit';

jest.setTimeout(60_000);

describe('BillingProfiles and BillingDirectory', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({
      label: 'billing_profiles',
      settings: { defaultCurrency: 'SEK' },
    });
    // acme ─ research ─ nlp
    //      └ sales
    await kit.organisation({
      units: [
        { unitId: 'acme', name: 'ACME' },
        { unitId: 'research', parentId: 'acme' },
        { unitId: 'nlp', parentId: 'research' },
        { unitId: 'sales', parentId: 'acme' },
      ],
      useCases: [{ useCase: 'chat', className: 'standard' }],
    });
  });
  afterAll(async () => kit?.close());

  it('keeps the unit tree and use cases from allocation events', async () => {
    await kit.allocation(
      { name: 'UnitRenamed', data: { unitId: 'sales', name: 'Sales EMEA', previousName: 'sales' } },
      {
        name: 'UseCaseReclassified',
        data: { useCase: 'chat', fromClassName: 'standard', toClassName: 'essential' },
      },
      { name: 'UseCaseRetired', data: { useCase: 'chat' } },
      { name: 'UnitArchived', data: { unitId: 'sales' } },
      { name: 'BudgetOpened', data: {} as never },
    );
    expect(await kit.directory.unit('sales')).toEqual({
      unitId: 'sales',
      parentId: 'acme',
      name: 'Sales EMEA',
      archived: true,
    });
    expect(await kit.directory.unit('nobody')).toBeNull();
    expect(await kit.directory.usefulnessClassOf(undefined, 'chat')).toBe('essential');
    expect(await kit.directory.usefulnessClassOf(undefined, 'unknown')).toBeNull();
    expect(await kit.directory.subtreeOf('acme')).toEqual(['acme', 'research', 'sales', 'nlp']);
    expect(await kit.directory.subtreeOf('nlp')).toEqual(['nlp']);
    expect(await kit.directory.ancestorsOf('nlp')).toEqual(['research', 'acme']);
    expect(await kit.directory.ancestorsOf('acme')).toEqual([]);
  });

  it('keeps usage debits that went over an allocation, once', async () => {
    const debit = (overrunAmount: string) => ({
      name: 'UsageDebited' as const,
      data: {
        budgetId: 'b-1',
        unitId: 'nlp',
        usageId: 'u-1',
        amount: '1200',
        overrunAmount,
        useCase: 'chat',
        usefulnessClass: 'essential',
        reservationId: null,
        flag: null,
        occurredAt: null,
      },
    });
    await kit.allocation(debit('300'), debit('300'), {
      ...debit('0'),
      data: { ...debit('0').data, usageId: 'u-2' },
    });
    expect(await kit.transaction((tx) => kit.directory.debitOf(tx.sql, 'u-1', 'b-1'))).toEqual({
      usageId: 'u-1',
      budgetId: 'b-1',
      usageAmount: 1200n,
      overrunAmount: 300n,
    });
    expect(await kit.directory.debitOf(undefined, 'u-2', 'b-1')).toBeNull();
  });

  it('validates a profile and reports every problem at once', async () => {
    const error = await rejectionOf(
      kit.profiles.set('research', { currency: 'eur', costCentre: ' ', extra: 1 }, FINANCE),
    );
    expect(error).toMatchObject({ code: 'BILLING.INVALID_PROFILE', status: 400 });
    expect(
      (error.details.issues as { path: string; code: string }[]).map((i) => [i.path, i.code]),
    ).toEqual([
      ['extra', 'PROFILE.UNKNOWN_FIELD'],
      ['currency', 'PROFILE.INVALID_CURRENCY'],
      ['costCentre', 'PROFILE.INVALID_COST_CENTRE'],
    ]);
    expect((await rejectionOf(kit.profiles.set('research', null, FINANCE))).code).toBe(
      'BILLING.INVALID_PROFILE',
    );
  });

  it('resolves a profile from the unit, its nearest ancestor, or the default', async () => {
    expect(await kit.profiles.get('nlp')).toEqual({
      unitId: 'nlp',
      own: null,
      effective: { currency: 'SEK', costCentre: 'nlp', inheritedFrom: null },
    });
    await kit.profiles.set('acme', { currency: 'EUR', costCentre: 'CC-ACME' }, FINANCE);
    await kit.profiles.set('research', { currency: 'USD', costCentre: 'CC-R' }, FINANCE);
    expect((await kit.profiles.get('nlp')).effective).toEqual({
      currency: 'USD',
      costCentre: 'CC-R',
      inheritedFrom: 'research',
    });
    expect((await kit.profiles.get('sales')).effective).toEqual({
      currency: 'EUR',
      costCentre: 'CC-ACME',
      inheritedFrom: 'acme',
    });
    expect(await kit.profiles.get('research')).toMatchObject({
      own: { unitId: 'research', currency: 'USD', costCentre: 'CC-R' },
      effective: { inheritedFrom: 'research' },
    });
    expect((await rejectionOf(kit.profiles.get('nobody'))).code).toBe('BILLING.UNIT_NOT_FOUND');
  });

  it('appends a profile change once, and nothing for the same values', async () => {
    await kit.profiles.set('research', { currency: 'USD', costCentre: 'CC-R' }, FINANCE);
    await kit.profiles.set(
      'research',
      { currency: 'USD', costCentre: 'CC-R2' },
      { ...FINANCE, reason: 'reorg' },
    );
    const sets = (await kit.eventsOfType('BillingProfileSet')).filter(
      (e) => e.data.unitId === 'research',
    );
    expect(sets.map((e) => e.data.costCentre)).toEqual(['CC-R', 'CC-R2']);
    expect(sets[1]?.metadata).toMatchObject({
      partitionKey: 'research',
      reason: 'reorg',
      actor: FINANCE.actor,
    });
  });

  it('charges a usage in the currency and cost centre its unit resolves to', async () => {
    await kit.schedules.publish(scheduleInput({ currency: 'USD' }), FINANCE);
    expect(
      await kit.recordUsage(
        usageIdOf('p-1'),
        usageRecorded({
          unitId: 'nlp',
          useCase: 'chat',
          carbonMicroGrams: 1_000_000n,
          reportedId: 'p-1',
        }),
      ),
    ).toBe('charged');
    // A unit allocation has not announced yet: refused (retryable), nothing written. The
    // default profile is only ever the one of a unit billing knows to have none on its chain.
    const orphanUsage = usageRecorded({
      unitId: 'orphan',
      carbonMicroGrams: 1_000_000n,
      reportedId: 'p-2',
    });
    const early = await rejectionOf(kit.recordUsage(usageIdOf('p-2'), orphanUsage));
    expect(early).toMatchObject({
      code: 'BILLING.DIRECTORY_BEHIND',
      details: { unitId: 'orphan', unknownUnitIds: ['orphan'], unknownUseCase: null },
    });
    expect(await kit.query(`SELECT 1 FROM billing.usage_facts WHERE unit_id = 'orphan'`)).toEqual(
      [],
    );
    // Once known, as a root without a profile: the default currency; no SEK schedule: held.
    await kit.organisation({ units: [{ unitId: 'orphan' }] });
    expect(await kit.recordUsage(usageIdOf('p-2'), orphanUsage)).toBe('unpriced');
    const rows = await kit.query(
      `SELECT usage_id, status, currency FROM billing.usage_facts ORDER BY usage_id`,
    );
    expect(rows).toEqual([
      { usage_id: usageIdOf('p-1'), status: 'charged', currency: 'USD' },
      { usage_id: usageIdOf('p-2'), status: 'unpriced', currency: 'SEK' },
    ]);
    const [line] = await kit.query(
      `SELECT cost_centre, usefulness_class, amount_micro::text AS amount FROM billing.charge_lines`,
    );
    expect(line).toEqual({ cost_centre: 'CC-R2', usefulness_class: 'essential', amount: '100' });
  });
  it('follows a unit moved elsewhere in the tree', async () => {
    await kit.allocation({
      name: 'UnitMoved',
      data: { unitId: 'nlp', fromParentId: 'research', toParentId: 'sales' },
    });
    expect(await kit.directory.ancestorsOf('nlp')).toEqual(['sales', 'acme']);
    expect(await kit.directory.subtreeOf('research')).toEqual(['research']);
    expect((await kit.profiles.get('nlp')).effective).toEqual({
      currency: 'EUR',
      costCentre: 'CC-ACME',
      inheritedFrom: 'acme',
    });
  });
});
