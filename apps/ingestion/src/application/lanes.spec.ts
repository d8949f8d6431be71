import { runLanes } from './lanes';

describe('runLanes', () => {
  it('runs every lane to its end when none fails', async () => {
    const done: number[] = [];
    await runLanes([1, 2, 3], async (lane) => {
      await Promise.resolve();
      done.push(lane);
    });
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  it('after a failure, the other lanes start no further step, and the error comes once all have stopped', async () => {
    const steps: string[] = [];
    let releaseSlow: () => void = () => undefined;
    const slowStep = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const running = runLanes(['slow', 'failing'], async (lane, stopped) => {
      if (lane === 'failing') {
        await Promise.resolve();
        throw new Error('pool timeout');
      }
      for (let step = 0; step < 3; step += 1) {
        if (stopped()) return;
        if (step === 0) await slowStep;
        steps.push(`slow ${step}`);
      }
    });
    let settled = false;
    void running.catch(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    // The failing lane has failed; the slow lane is still in its first step: no answer yet.
    expect(settled).toBe(false);
    releaseSlow();
    await expect(running).rejects.toThrow('pool timeout');
    // The step in progress finished; none was started after the failure.
    expect(steps).toEqual(['slow 0']);
  });
});
