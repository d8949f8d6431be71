import type { JsonValue } from '@plafond/ledger';
import { parseAttributeValues } from './attributes-input';
import { snapshotOf } from './snapshot-codec';
import { quantityOf, usageIdOf } from './usage-debits';
import { usage } from './testing/application-test-kit';
import { weightText } from './views';

describe('attribute values', () => {
  it('reads integers and exact decimals, and writes them back the same', () => {
    const parsed = parseAttributeValues({
      headcount: '42',
      revenue: '1234.50',
      small: '0.007',
      gone: null,
    });
    expect(parsed).toEqual({
      headcount: 42n,
      revenue: { value: 123450n, scale: 2 },
      small: { value: 7n, scale: 3 },
      gone: null,
    });
    expect(weightText(123450n)).toBe('123450');
    expect(weightText({ value: 123450n, scale: 2 })).toBe('1234.50');
    expect(weightText({ value: 7n, scale: 3 })).toBe('0.007');
  });

  it.each(['-1', '1e3', '01', '1.', '.5', ' 1', 'NaN', ''])(
    'refuses %p with COMMAND.INVALID naming the attribute',
    (value) => {
      expect(() => parseAttributeValues({ headcount: value })).toThrow(
        expect.objectContaining({
          code: 'COMMAND.INVALID',
          details: { field: 'attributes.headcount', reason: expect.any(String) },
        }),
      );
    },
  );
});

describe('snapshot codec', () => {
  it('round-trips states keyed by ids that look like tags or the prototype', () => {
    const codec = snapshotOf<Record<string, unknown>>('test.v1');
    const state = {
      units: {
        $bigint: { allocated: 7n },
        $$x: 1,
        plain: new Date('2026-03-01T00:00:00Z'),
      },
      total: 12n,
    };
    Object.defineProperty(state.units, '__proto__', { value: { allocated: 5n }, enumerable: true });
    const encoded = JSON.parse(JSON.stringify(codec.encode?.(state))) as JsonValue;
    const decoded = codec.decode?.(encoded) as typeof state;
    expect(Object.hasOwn(decoded.units, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(decoded.units)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded.units, '__proto__')?.value).toEqual({
      allocated: 5n,
    });
    expect(decoded.units.$bigint).toEqual({ allocated: 7n });
    expect(decoded.units.$$x).toBe(1);
    expect(decoded.units.plain).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(decoded.total).toBe(12n);
  });
});

describe('usage quantities and ids', () => {
  it('takes each dimension its own quantity, absent ones as zero', () => {
    const recorded = usage({
      unitId: 'u',
      energyMicroWh: 5n,
      carbonMicroGrams: 6n,
      requests: 2n,
      inputTokens: 30n,
      outputTokens: 12n,
    });
    expect(quantityOf(recorded, 'energy')).toBe(5n);
    expect(quantityOf(recorded, 'carbon')).toBe(6n);
    expect(quantityOf(recorded, 'requests')).toBe(2n);
    expect(quantityOf(recorded, 'tokens')).toBe(42n);
    expect(quantityOf(recorded, 'compute')).toBe(0n);
  });

  it('keeps a short inbox key as the usage id and hashes a long one, stably', () => {
    expect(usageIdOf('/gw#evt-1')).toBe('/gw#evt-1');
    const long = `/gateways/${'x'.repeat(200)}#evt-1`;
    expect(usageIdOf(long)).toMatch(/^usage-sha256-[0-9a-f]{48}$/);
    expect(usageIdOf(long)).toBe(usageIdOf(long));
    expect(usageIdOf(`${long}2`)).not.toBe(usageIdOf(long));
  });
});
