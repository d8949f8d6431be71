import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first value that is not false, undefined or null', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        return calls >= 3 ? { calls } : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(value).toEqual({ calls: 3 });
  });

  it('accepts 0 and empty string as values', async () => {
    await expect(waitFor(() => 0, { intervalMs: 1 })).resolves.toBe(0);
    await expect(waitFor(() => '', { intervalMs: 1 })).resolves.toBe('');
  });

  it('gives up with a message naming what it waited for and the last error', async () => {
    let calls = 0;
    const failing = waitFor(
      () => {
        calls += 1;
        throw new Error(`not yet (${calls})`);
      },
      { timeoutMs: 30, intervalMs: 5, description: 'the consumer group to settle' },
    );
    await expect(failing).rejects.toThrow(
      /the consumer group to settle not met within 30 ms; last error: not yet/,
    );
  });

  it('refuses an unbounded wait', async () => {
    await expect(waitFor(() => true, { timeoutMs: 0 })).rejects.toThrow('must be positive');
  });
});
