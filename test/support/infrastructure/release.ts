import { stopLocalKafka } from './local-kafka';
import type { InfrastructureState } from './state';
import { deleteTestTopics } from '../kafka-topics';
import { dropTestDatabases } from '../test-database';

function warn(message: string, error: unknown): void {
  process.stderr.write(
    `[test-infra] warning: ${message}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
}

/**
 * Removes the run's databases and topics (unless setup failed before any test ran), then stops
 * what setup started. Cleanup problems are reported but do not fail the run: the tests' own
 * verdict is already in.
 */
export async function releaseInfrastructure(
  state: InfrastructureState,
  { removeTestData = true } = {},
): Promise<void> {
  if (removeTestData) await removeRunData(state);
  if (state.startedLocalKafka) {
    try {
      stopLocalKafka();
    } catch (error) {
      warn('could not stop the local Kafka broker', error);
    }
  }
  for (const { container } of state.containers) {
    await container.stop().catch((error) => warn('could not stop a container', error));
  }
}

async function removeRunData(state: InfrastructureState): Promise<void> {
  if (state.databaseUrl !== '') {
    await dropTestDatabases(state.databaseUrl, state.runId).catch((error) =>
      warn('could not drop test databases', error),
    );
  }
  if (state.kafkaBrokers !== '') {
    await deleteTestTopics(state.kafkaBrokers.split(','), state.runId).catch((error) =>
      warn('could not delete test topics', error),
    );
  }
}
