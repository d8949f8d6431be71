import { parseIsoInstant } from './instant';

describe('parseIsoInstant', () => {
  it('reads ISO-8601 instants with a zone', () => {
    expect(parseIsoInstant('2026-11-15T12:00:00Z')?.toISOString()).toBe('2026-11-15T12:00:00.000Z');
    expect(parseIsoInstant('2026-11-15T12:00+01:00')?.toISOString()).toBe(
      '2026-11-15T11:00:00.000Z',
    );
    expect(parseIsoInstant('2024-02-29T00:00:00.123456789Z')?.toISOString()).toBe(
      '2024-02-29T00:00:00.123Z',
    );
  });

  it('refuses texts that name no real instant', () => {
    for (const text of [
      '2026-11-15T12:00:00',
      '2026-11-15',
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-11-15T24:00:00Z',
      '2026-11-15T12:60:00Z',
      '2026-11-15T12:00:60Z',
      '2026-13-01T00:00:00Z',
      '2026-11-15T12:00:00+24:00',
      ' 2026-11-15T12:00:00Z',
    ]) {
      expect({ text, instant: parseIsoInstant(text) }).toEqual({ text, instant: undefined });
    }
  });
});
