// Lanes of one batch that stop together: when one lane fails, the others finish the step they are
// in and start no other, and the failure is thrown only once every lane has stopped. So nothing of
// the batch is still being written after the caller has its answer, and what the batch did (the
// items committed before the failure) can be read back exactly (see the HTTP edge's SERVICE.BUSY).

/** `stopped()` turns true once any lane has failed: check it before starting the next step. */
export type LaneWork<T> = (lane: T, stopped: () => boolean) => Promise<void>;

export async function runLanes<T>(lanes: readonly T[], work: LaneWork<T>): Promise<void> {
  let failure: { error: unknown } | undefined;
  const stopped = () => failure !== undefined;
  await Promise.all(
    lanes.map(async (lane) => {
      try {
        await work(lane, stopped);
      } catch (error) {
        failure ??= { error };
      }
    }),
  );
  if (failure !== undefined) throw failure.error;
}
