import { PlafondError } from '@plafond/platform';
import { INGEST_BUSY, UsageAdmission } from './usage-admission';

/** A batch's work held open until `finish` is called. */
function held() {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { work: () => done.then(() => 'answered'), finish };
}

describe('UsageAdmission', () => {
  it('admits batches up to the bound, refuses the next one before running it, and frees on answer', async () => {
    const admission = new UsageAdmission(10);
    const first = held();
    const second = held();
    const running = [admission.run(6, first.work), admission.run(4, second.work)];
    expect(admission.itemsInFlight).toBe(10);

    const refusedWork = jest.fn(() => Promise.resolve('never'));
    const refusal = await admission.run(1, refusedWork).catch((error: unknown) => error);
    expect(refusedWork).not.toHaveBeenCalled();
    expect(refusal).toBeInstanceOf(PlafondError);
    expect(refusal).toMatchObject({
      code: INGEST_BUSY,
      httpStatus: 503,
      details: { itemsInFlight: 10, items: 1, limit: 10 },
    });

    first.finish();
    second.finish();
    await expect(Promise.all(running)).resolves.toEqual(['answered', 'answered']);
    expect(admission.itemsInFlight).toBe(0);
    await expect(admission.run(10, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('always admits a batch alone, even above the bound', async () => {
    const admission = new UsageAdmission(5);
    await expect(admission.run(50, () => Promise.resolve('alone'))).resolves.toBe('alone');
  });

  it('frees the batch items when its work fails', async () => {
    const admission = new UsageAdmission(5);
    await expect(
      admission.run(3, () => Promise.reject(new Error('database down'))),
    ).rejects.toThrow('database down');
    expect(admission.itemsInFlight).toBe(0);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new UsageAdmission(0)).toThrow(/positive integer/);
  });
});
