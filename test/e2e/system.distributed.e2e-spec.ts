// The system scenario (test/e2e/system/scenario.ts) on the production topology: three service
// processes on one PostgreSQL database and the real Kafka broker, usage over HTTP and Kafka.
import { startDistributed } from './system/harness';
import { systemScenario } from './system/scenario';

describe('the system, distributed (three processes, PostgreSQL, Kafka)', () => {
  systemScenario('distributed', () => startDistributed('e2e-sys-dist'));
});
