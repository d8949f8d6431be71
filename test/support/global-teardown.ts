import { releaseInfrastructure } from './infrastructure/release';
import { takeState } from './infrastructure/state';

/** Drops this run's databases and topics and stops whatever global setup started. */
export default async function globalTeardown(): Promise<void> {
  const state = takeState();
  if (state !== undefined) await releaseInfrastructure(state);
}
