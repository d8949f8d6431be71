import type { Type } from '@nestjs/common';
import { createValidationPipe, PlafondError } from '@plafond/platform';
import { OpenBudgetBody, TransferBody, UnitBalanceQuery } from './budgets.dto';
import { DefineClassBody } from './catalog.dto';
import { CommitBody, ReserveBody } from './reservations.dto';
import { CreateUnitBody, HistoryQuery, SetAttributesBody } from './units.dto';

async function validate<T>(metatype: Type<T>, value: unknown, type: 'body' | 'query' = 'body') {
  return (await createValidationPipe().transform(value, { type, metatype })) as T;
}

async function problems(metatype: Type<unknown>, value: unknown, type: 'body' | 'query' = 'body') {
  try {
    await validate(metatype, value, type);
  } catch (error) {
    if (error instanceof PlafondError) {
      expect(error.code).toBe('REQUEST.INVALID');
      return (error.details as { fields: { field: string; errors: string[] }[] }).fields;
    }
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const reservation = {
  reservationId: 'job-1',
  unitId: 'team-search',
  amount: '5000000',
  useCase: 'support-triage',
  timeoutMs: 300_000,
};

describe('reservation requests', () => {
  it('accepts amounts as decimal strings or safe integers', async () => {
    await expect(validate(ReserveBody, reservation)).resolves.toBeInstanceOf(ReserveBody);
    await expect(validate(ReserveBody, { ...reservation, amount: 42 })).resolves.toMatchObject({
      amount: 42,
    });
    await expect(validate(CommitBody, { amount: '0' })).resolves.toMatchObject({ amount: '0' });
  });

  it('reports every bad field at once, with the quantity reason', async () => {
    const fields = await problems(ReserveBody, {
      ...reservation,
      amount: 1.5,
      timeoutMs: 0,
      dimension: 'water',
      reservationId: '',
    });
    expect(fields.map((problem) => problem.field).sort()).toEqual([
      'amount',
      'dimension',
      'reservationId',
      'timeoutMs',
    ]);
    expect(fields.find((problem) => problem.field === 'amount')?.errors).toEqual([
      'amount must be a decimal integer string or a safe integer: must be a whole number (QUANTITY.NOT_AN_INTEGER)',
    ]);
  });

  it.each([
    ['-5', 'QUANTITY.NEGATIVE'],
    ['0', 'QUANTITY.ZERO'],
    ['1e3', 'QUANTITY.EXPONENT'],
    [2 ** 53, 'QUANTITY.OUT_OF_RANGE'],
    [null, 'QUANTITY.MISSING'],
  ])('refuses the amount %p (%s)', async (amount, code) => {
    const fields = await problems(ReserveBody, { ...reservation, amount });
    expect(fields).toEqual([{ field: 'amount', errors: [expect.stringContaining(code)] }]);
  });

  it('refuses properties nobody declared', async () => {
    expect(await problems(ReserveBody, { ...reservation, amout: '1' })).toEqual([
      { field: 'amout', errors: ['property amout should not exist'] },
    ]);
  });
});

describe('budget and unit requests', () => {
  const budget = {
    budgetId: 'energy-2026-03',
    perimeterUnitId: 'acme',
    dimension: 'energy',
    period: { kind: 'month', month: '2026-03' },
    ceiling: '1000000000000',
  };

  it('checks the period by its kind', async () => {
    await expect(validate(OpenBudgetBody, budget)).resolves.toBeInstanceOf(OpenBudgetBody);
    await expect(
      validate(OpenBudgetBody, {
        ...budget,
        period: { kind: 'range', startsOn: '2026-03-01', endsOn: '2026-03-15' },
      }),
    ).resolves.toBeInstanceOf(OpenBudgetBody);
    expect(await problems(OpenBudgetBody, { ...budget, period: { kind: 'range' } })).toEqual([
      { field: 'period.startsOn', errors: expect.arrayContaining(['startsOn must be YYYY-MM-DD']) },
      { field: 'period.endsOn', errors: expect.arrayContaining(['endsOn must be YYYY-MM-DD']) },
    ]);
    expect(
      (await problems(OpenBudgetBody, { ...budget, ceiling: '1.5', mode: 'strict' })).map(
        (problem) => problem.field,
      ),
    ).toEqual(['ceiling', 'mode']);
  });

  it('wants a reason and a positive amount on transfers', async () => {
    const fields = await problems(TransferBody, {
      transferId: 't-1',
      fromUnitId: 'a',
      toUnitId: 'b',
      amount: 0,
    });
    expect(fields.map((problem) => problem.field)).toEqual(['amount', 'reason']);
  });

  it('takes null as a root parent and decimal strings as attributes', async () => {
    await expect(
      validate(CreateUnitBody, {
        unitId: 'acme',
        parentId: null,
        name: 'Acme',
        attributes: { effectiveFrom: '2026-03-01', values: { headcount: '120', revenue: '1.25' } },
      }),
    ).resolves.toMatchObject({ parentId: null, attributes: { values: { headcount: '120' } } });
    expect(await problems(CreateUnitBody, { unitId: 'x', name: 'X' })).toEqual([
      { field: 'parentId', errors: expect.any(Array) },
    ]);
    expect(
      await problems(SetAttributesBody, { effectiveFrom: '2026-3-1', values: { headcount: 12 } }),
    ).toEqual([
      { field: 'effectiveFrom', errors: ['effectiveFrom must be a date YYYY-MM-DD'] },
      { field: 'values', errors: [expect.stringContaining('.headcount must be a non-negative')] },
    ]);
  });

  it('allows caps only on allowed classes', async () => {
    const body = { className: 'c', description: 'd' };
    await expect(
      validate(DefineClassBody, { ...body, rule: { kind: 'allowed', capShareBasisPoints: 2000 } }),
    ).resolves.toBeInstanceOf(DefineClassBody);
    expect(
      await problems(DefineClassBody, {
        ...body,
        rule: { kind: 'prohibited', capShareBasisPoints: 2000 },
      }),
    ).toEqual([
      {
        field: 'rule.capShareBasisPoints',
        errors: ['capShareBasisPoints is only for kind "allowed"'],
      },
    ]);
  });

  it('parses query values and refuses bad ones', async () => {
    await expect(
      validate(HistoryQuery, { limit: '50', before: '1234' }, 'query'),
    ).resolves.toMatchObject({ limit: 50, before: '1234' });
    expect(
      (await problems(HistoryQuery, { limit: '0', before: 'x' }, 'query')).map((p) => p.field),
    ).toEqual(['limit', 'before']);
    expect(
      await problems(UnitBalanceQuery, { asOf: '2026-02-30T00:00:00Z', rollUp: 'yes' }, 'query'),
    ).toEqual([
      { field: 'asOf', errors: [expect.stringContaining('position:1234')] },
      { field: 'rollUp', errors: [expect.any(String)] },
    ]);
  });
});
