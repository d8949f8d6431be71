// Double entry over random sequences of usage charges, credit / debit notes and surcharges, each
// priced by the domain: per currency Σ debit = Σ credit, and the expense account's net debit is
// exactly Σ line amounts (the carbon fund's is its opposite).
import fc from 'fast-check';
import { journalEntry, journalReference, journalTotals, type JournalLine } from './journal';
import type { PriceSchedule } from './price-schedule';
import { priceAdjustment, priceOverrunSurcharge, priceUsage } from './pricing';

const accounts = { expense: '6150', carbonFund: '4890' };
const CURRENCIES = ['EUR', 'USD', 'CHF'] as const;

const schedule = fc.record({
  carbonPricePerTonneMicro: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  energyPricePerKwhMicro: fc.option(fc.bigInt({ min: 0n, max: 10n ** 15n }), { nil: null }),
  defaultMultiplierPpm: fc.bigInt({ min: 0n, max: 100_000_000n }),
  highPpm: fc.bigInt({ min: 0n, max: 100_000_000n }),
  surchargePpm: fc.array(fc.bigInt({ min: 0n, max: 10_000_000n }), { minLength: 0, maxLength: 4 }),
});

const quantities = fc.record({
  energyMicroWh: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  carbonMicroGrams: fc.bigInt({ min: 0n, max: 10n ** 12n }),
});

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('usage' as const),
    currency: fc.constantFrom(...CURRENCIES),
    q: quantities,
    cls: fc.constantFrom('high', 'other', null),
  }),
  fc.record({
    kind: fc.constant('note' as const),
    currency: fc.constantFrom(...CURRENCIES),
    before: quantities,
    after: quantities,
  }),
  fc.record({
    kind: fc.constant('surcharge' as const),
    currency: fc.constantFrom(...CURRENCIES),
    q: quantities,
    usageAmount: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    overrunShare: fc.bigInt({ min: 0n, max: 1_000_000n }),
    allocated: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  }),
);

describe('journal double entry (property)', () => {
  it('balances per currency and books Σ amounts on the expense account', () => {
    fc.assert(
      fc.property(schedule, fc.array(operation, { maxLength: 60 }), (raw, operations) => {
        const s: PriceSchedule = {
          currency: 'EUR',
          version: 1,
          effectiveFrom: new Date('2026-01-01T00:00:00Z'),
          carbonPricePerTonneMicro: raw.carbonPricePerTonneMicro,
          energyPricePerKwhMicro: raw.energyPricePerKwhMicro,
          classMultipliersPpm: new Map([['high', raw.highPpm]]),
          defaultMultiplierPpm: raw.defaultMultiplierPpm,
          overrunTiers: raw.surchargePpm.map((surchargePpm, i) => ({
            fromShareOfAllocationPpm: BigInt(i) * 400_000n,
            surchargePpm,
          })),
          reason: null,
        };
        const journal: JournalLine[] = [];
        const amounts = new Map<string, bigint>();
        operations.forEach((op, index) => {
          let amountMicro: bigint;
          let kind: string;
          if (op.kind === 'usage') {
            amountMicro = priceUsage(s, op.q, op.cls).amountMicro;
            kind = 'usage';
          } else if (op.kind === 'note') {
            amountMicro = priceAdjustment(s, raw.highPpm, op.before, op.after);
            kind = amountMicro < 0n ? 'credit_note' : 'debit_note';
          } else {
            const overrunAmount = (op.usageAmount * op.overrunShare) / 1_000_000n;
            const result = priceOverrunSurcharge(s, raw.defaultMultiplierPpm, op.q, {
              usageAmount: op.usageAmount,
              overrunAmount,
              overrunAfter: overrunAmount + op.allocated / 3n,
              allocated: op.allocated,
            });
            if (result === null) return;
            amountMicro = result.amountMicro;
            kind = 'surcharge';
          }
          const lines = journalEntry({
            lineId: `line-${index}`,
            amountMicro,
            currency: op.currency,
            costCentre: `CC-${index % 3}`,
            bookedAt: '2026-11-15T10:00:00Z',
            billingPeriod: '2026-11',
            unitId: 'unit-a',
            reference: journalReference(kind, `usage-${index}`),
            accounts,
          });
          expect(lines).toHaveLength(amountMicro === 0n ? 0 : 2);
          for (const line of lines) {
            expect(line.debitMicro >= 0n && line.creditMicro >= 0n).toBe(true);
            expect(line.debitMicro === 0n || line.creditMicro === 0n).toBe(true);
          }
          journal.push(...lines);
          amounts.set(op.currency, (amounts.get(op.currency) ?? 0n) + amountMicro);
        });

        for (const [, total] of journalTotals(journal)) {
          expect(total.debitMicro).toBe(total.creditMicro);
        }
        for (const currency of CURRENCIES) {
          const net = (account: string): bigint =>
            journal
              .filter((l) => l.currency === currency && l.account === account)
              .reduce((sum, l) => sum + l.debitMicro - l.creditMicro, 0n);
          expect(net(accounts.expense)).toBe(amounts.get(currency) ?? 0n);
          expect(net(accounts.carbonFund)).toBe(-(amounts.get(currency) ?? 0n));
        }
      }),
      { numRuns: 300 },
    );
  });
});
