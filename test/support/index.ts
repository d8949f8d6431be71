// The test harness (`@plafond/testing` in tests). Global setup has already put DATABASE_URL,
// KAFKA_BROKERS and PLAFOND_TEST_RUN_ID in the environment; see docs/testing.md.
export { createTestDatabase, serverDatabaseUrl, type TestDatabase } from './test-database';
export { kafkaBrokers, uniqueTopicPrefix } from './kafka-topics';
export { currentRunId } from './run-id';
export { waitFor, type WaitForOptions } from './wait-for';
export { freePort, freePorts } from './free-port';
export { allLedgerEvents } from './ledger-events';
