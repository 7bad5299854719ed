import { after, before } from 'node:test';
import { createPgJobStore } from './job-store.ts';
import { createPgLogStore } from './log-store.ts';
import { createPgTokenStore } from './token-store.ts';
import { storeContract, type StoreFixture } from './test-support/store-contract.ts';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.ts';

let t: TestDatabase;
let fixture: StoreFixture;
before(async () => {
  t = await createTestDatabase();
  fixture = { jobs: createPgJobStore(t.db, { prepared: true }), logs: createPgLogStore(t.db, { prepared: true }), tokens: createPgTokenStore(t.db, { prepared: true }), db: t.db };
});
after(() => t.drop());

storeContract('postgres', () => fixture);
// And with client-formatted queries, as the embedded database runs them.
storeContract('postgres, unprepared', () => ({ ...fixture, jobs: createPgJobStore(t.db), logs: createPgLogStore(t.db), tokens: createPgTokenStore(t.db) }));
