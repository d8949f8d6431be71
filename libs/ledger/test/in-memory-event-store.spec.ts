import { InMemoryEventStore } from '@plafond/ledger';

import { appendBehaviour } from './behaviour/append.behaviour';
import { historyBehaviour } from './behaviour/history.behaviour';
import { snapshotBehaviour } from './behaviour/snapshot.behaviour';

// The same behavioural suite as the PostgreSQL store (postgres-event-store.int-spec.ts).
const newStore = () => Promise.resolve(new InMemoryEventStore());

describe('InMemoryEventStore', () => {
  describe('append', () => appendBehaviour(newStore));
  describe('history', () => historyBehaviour(newStore));
  describe('snapshots', () => snapshotBehaviour(newStore));
});
