import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { canonicalJson } from './canonical-json';
import { eventHash, type HashInput } from './event-hash';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'grapheme' }).filter((text) => !text.includes('\u0000')),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every depth, without whitespace, dropping undefined members', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [2, { z: true, y: null }], c: 'x' }, skip: undefined }),
    ).toBe('{"a":{"c":"x","d":[2,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 })).toBe(
      '{"10":4,"9":5,"Z":3,"z":2,"é":1}',
    );
    expect(canonicalJson(-0)).toBe('0');
  });

  it('is stable under a JSON round trip (what jsonb gives back re-encodes to the same text)', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('does not depend on the order in which keys were inserted', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json, { maxKeys: 6 }), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });

  it.each([
    ['a float', 0.5, /safe integers/],
    ['a bigint', 5n, /integer strings, e\.g\. "5"/],
    ['NaN', Number.NaN, /safe integers/],
    ['a function', () => 1, /no JSON form/],
    ['a Map', new Map(), /Map/],
    ['an undefined array item', [undefined], /\$\[0\] is undefined/],
  ])('refuses %s with a clear message', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('bounds nesting depth', () => {
    let deep: Json = 'leaf';
    for (let level = 0; level < 70; level++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper than 64/);
  });
});

describe('eventHash', () => {
  const input: HashInput = {
    streamId: 'unit-42',
    streamVersion: 9_007_199_254_740_993n,
    eventId: '0b9d5f3e-7a7e-4c55-9d1b-2f36f0d2c001',
    type: 'QuotaReserved',
    dataJson: canonicalJson({ amountMicroWh: '1500000', unitId: 'unit-42' }),
    metadataJson: canonicalJson({ actor: 'alice', correlationId: 'c-1' }),
    prevHash: 'a'.repeat(64),
  };

  it('hashes the canonical JSON of all chained fields, the version as a decimal string', () => {
    const text = canonicalJson({
      streamId: input.streamId,
      streamVersion: input.streamVersion.toString(),
      eventId: input.eventId,
      type: input.type,
      data: JSON.parse(input.dataJson),
      metadata: JSON.parse(input.metadataJson),
      prevHash: input.prevHash,
    });
    expect(eventHash(input)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(eventHash({ ...input, prevHash: null })).toBe(
      createHash('sha256')
        .update(text.replace(`"prevHash":"${input.prevHash}"`, '"prevHash":null'))
        .digest('hex'),
    );
  });

  it('keeps the published format (a change would break every stored chain)', () => {
    expect(eventHash(input)).toBe(
      'f011fc1ae0aeb204d25d19560c9c2be09aa63ff4b8bb49c44a149039d03311ee',
    );
  });

  it('changes with every chained field', () => {
    const base = eventHash(input);
    const variants: Partial<HashInput>[] = [
      { streamId: 'unit-43' },
      { streamVersion: 1n },
      { eventId: 'other' },
      { type: 'QuotaReleased' },
      { dataJson: canonicalJson({ amountMicroWh: '1500001', unitId: 'unit-42' }) },
      { metadataJson: '{}' },
      { prevHash: null },
    ];
    for (const variant of variants) expect(eventHash({ ...input, ...variant })).not.toBe(base);
  });
});
