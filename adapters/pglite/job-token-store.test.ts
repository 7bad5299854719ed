import { after, before } from 'node:test';
import { createPgDispatchStore } from '../postgres/dispatch-store.ts';
import { createPgJobStore } from '../postgres/job-store.ts';
import { createPgJobTokenStore } from '../postgres/job-token-store.ts';
import { createPgTokenStore } from '../postgres/token-store.ts';
import { jobTokenContract, type JobTokenFixture } from '../postgres/test-support/job-token-contract.ts';
import { openMigratedPglite, type MigratedPglite } from './test-support/migrated-pglite.ts';

// The job-token suite the Postgres adapter passes, here against PGlite through its socket.
let database: MigratedPglite;
let fixture: JobTokenFixture;
before(async () => {
  database = await openMigratedPglite('rc-pglite-jobtok-');
  const { db } = database;
  fixture = { jobs: createPgJobStore(db), tokens: createPgTokenStore(db), jobTokens: createPgJobTokenStore(db), dispatch: createPgDispatchStore(db), db };
});
after(() => database.close());

jobTokenContract('pglite', () => fixture);
