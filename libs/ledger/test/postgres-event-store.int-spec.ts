import { appendBehaviour } from './behaviour/append.behaviour';
import { historyBehaviour } from './behaviour/history.behaviour';
import { snapshotBehaviour } from './behaviour/snapshot.behaviour';
import { createLedgerHarness, type LedgerHarness } from './support/ledger-harness';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

// The same behavioural suite as the in-memory store (in-memory-event-store.spec.ts).
let harness: LedgerHarness;
beforeAll(async () => {
  harness = await createLedgerHarness('ledger_store');
});
afterAll(() => harness.close());

const newStore = () => harness.freshStore();

describe('PostgresEventStore', () => {
  describe('append', () => appendBehaviour(newStore));
  describe('history', () => historyBehaviour(newStore));
  describe('snapshots', () => snapshotBehaviour(newStore));
});
