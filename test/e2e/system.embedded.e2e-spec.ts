// The system scenario (test/e2e/system/scenario.ts) in `npm start`'s default mode: one process
// (dist/scripts/start.js without DATABASE_URL or KAFKA_BROKERS) on PGlite in a temporary data
// directory, its services reading each other's ledgers in place. There is no broker, so the usage
// the distributed run sends over Kafka goes over HTTP here.
import { startEmbedded } from './system/harness';
import { systemScenario } from './system/scenario';

describe('the system, embedded (one process, PGlite, no broker)', () => {
  systemScenario('embedded', () => startEmbedded('e2e-sys-emb'));
});
