import { after, before } from 'node:test';
import { createPgJobStore } from '../postgres/job-store.ts';
import { createPgLogStore } from '../postgres/log-store.ts';
import { createPgTokenStore } from '../postgres/token-store.ts';
import { storeContract, type StoreFixture } from '../postgres/test-support/store-contract.ts';
import { openMigratedPglite, type MigratedPglite } from './test-support/migrated-pglite.ts';

// The same contract suite the Postgres adapter passes, here against PGlite through its socket.
let database: MigratedPglite;
let fixture: StoreFixture;
before(async () => {
  database = await openMigratedPglite('rc-pglite-');
  const { db } = database;
  fixture = { jobs: createPgJobStore(db), logs: createPgLogStore(db), tokens: createPgTokenStore(db), db };
});
after(() => database.close());

storeContract('pglite', () => fixture);
