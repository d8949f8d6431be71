import { journalEntry, journalReference, journalTotals, entryDateOf } from './journal';

const accounts = { expense: '6150', carbonFund: '4890' };
const base = {
  lineId: 'line-1',
  currency: 'EUR',
  costCentre: 'CC-42',
  bookedAt: '2026-11-30T23:59:59.999Z',
  billingPeriod: '2026-11',
  unitId: 'unit-a',
  reference: journalReference('usage', 'urn:acme#e-1'),
  accounts,
};

describe('journalEntry', () => {
  it('debits the expense account on the cost centre and credits the carbon fund for a charge', () => {
    expect(journalEntry({ ...base, amountMicro: 188n })).toEqual([
      {
        entryId: 'line-1',
        side: 'debit',
        account: '6150',
        costCentre: 'CC-42',
        debitMicro: 188n,
        creditMicro: 0n,
        currency: 'EUR',
        entryDate: '2026-11-30',
        reference: 'usage urn:acme#e-1',
        billingPeriod: '2026-11',
        unitId: 'unit-a',
        lineId: 'line-1',
      },
      {
        entryId: 'line-1',
        side: 'credit',
        account: '4890',
        costCentre: '',
        debitMicro: 0n,
        creditMicro: 188n,
        currency: 'EUR',
        entryDate: '2026-11-30',
        reference: 'usage urn:acme#e-1',
        billingPeriod: '2026-11',
        unitId: 'unit-a',
        lineId: 'line-1',
      },
    ]);
  });
  it('reverses the entry for a credit note, with the absolute amount', () => {
    const [debit, credit] = journalEntry({ ...base, amountMicro: -94n });
    expect(debit).toMatchObject({
      side: 'debit',
      account: '4890',
      costCentre: '',
      debitMicro: 94n,
      creditMicro: 0n,
    });
    expect(credit).toMatchObject({
      side: 'credit',
      account: '6150',
      costCentre: 'CC-42',
      debitMicro: 0n,
      creditMicro: 94n,
    });
  });
  it('writes nothing for a zero amount', () => {
    expect(journalEntry({ ...base, amountMicro: 0n })).toEqual([]);
  });
  it('dates the entry with the UTC date of bookedAt', () => {
    expect(entryDateOf('2026-12-01T00:30:00+01:00')).toBe('2026-11-30');
    expect(() => entryDateOf('nope')).toThrow(RangeError);
  });
});

describe('journalTotals', () => {
  it('sums per currency', () => {
    const lines = [
      ...journalEntry({ ...base, amountMicro: 100n }),
      ...journalEntry({ ...base, lineId: 'l2', amountMicro: -30n }),
      ...journalEntry({ ...base, lineId: 'l3', currency: 'USD', amountMicro: 7n }),
    ];
    expect(journalTotals(lines)).toEqual(
      new Map([
        ['EUR', { debitMicro: 130n, creditMicro: 130n }],
        ['USD', { debitMicro: 7n, creditMicro: 7n }],
      ]),
    );
  });
});
