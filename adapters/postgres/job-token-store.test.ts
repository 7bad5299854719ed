import { after, before } from 'node:test';
import { createPgDispatchStore } from './dispatch-store.ts';
import { createPgJobStore } from './job-store.ts';
import { createPgJobTokenStore } from './job-token-store.ts';
import { createPgTokenStore } from './token-store.ts';
import { jobTokenContract, type JobTokenFixture } from './test-support/job-token-contract.ts';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.ts';

let t: TestDatabase;
let fixture: JobTokenFixture;
before(async () => {
  t = await createTestDatabase();
  fixture = { jobs: createPgJobStore(t.db), tokens: createPgTokenStore(t.db, { prepared: true }), jobTokens: createPgJobTokenStore(t.db, { prepared: true }), dispatch: createPgDispatchStore(t.db, { prepared: true }), db: t.db };
});
after(() => t.drop());

jobTokenContract('postgres', () => fixture);
// And with client-formatted queries, as the embedded database runs them.
jobTokenContract('postgres, unprepared', () => ({ ...fixture, jobTokens: createPgJobTokenStore(t.db), dispatch: createPgDispatchStore(t.db) }));
