import { discoverInfrastructure } from './infrastructure/discover';
import { releaseInfrastructure } from './infrastructure/release';
import { newState, takeState } from './infrastructure/state';
import { currentRunId } from './run-id';

/**
 * Jest global setup of the integration and e2e projects (a unit-only run never reaches it):
 * finds or starts PostgreSQL and Kafka once and hands them to the test workers through the
 * environment (DATABASE_URL, KAFKA_BROKERS, PLAFOND_TEST_RUN_ID). See docs/testing.md.
 */
export default async function globalSetup(): Promise<void> {
  const state = newState(currentRunId());
  try {
    const summary = await discoverInfrastructure(state);
    process.env.DATABASE_URL = state.databaseUrl;
    process.env.KAFKA_BROKERS = state.kafkaBrokers;
    process.stdout.write(`\n[test-infra] run ${state.runId}: ${summary}\n`);
  } catch (error) {
    // Jest skips global teardown when setup throws; release what was started before failing.
    await releaseInfrastructure(takeState() ?? state, { removeTestData: false });
    throw error;
  }
}
