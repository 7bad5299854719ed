import { after, before } from 'node:test';
import { createPgJobStore } from '../postgres/job-store.ts';
import { createPgLogStore } from '../postgres/log-store.ts';
import { createPgTokenStore } from '../postgres/token-store.ts';
import { storeContract, type StoreFixture } from '../postgres/test-support/store-contract.ts';
import { openMigratedPglite, type MigratedPglite } from './test-support/migrated-pglite.ts';

// The same contract suite the Postgres adapter passes, here against PGlite in-process, with
// named prepared statements (as serve uses it) and without.
let database: MigratedPglite;
let fixture: StoreFixture;
before(async () => {
  database = await openMigratedPglite('rc-pglite-');
  const { db } = database;
  fixture = { jobs: createPgJobStore(db, { prepared: true }), logs: createPgLogStore(db, { prepared: true }), tokens: createPgTokenStore(db, { prepared: true }), db };
});
after(() => database.close());

storeContract('pglite', () => fixture);
storeContract('pglite, unprepared', () => ({ ...fixture, jobs: createPgJobStore(fixture.db), logs: createPgLogStore(fixture.db), tokens: createPgTokenStore(fixture.db) }));
