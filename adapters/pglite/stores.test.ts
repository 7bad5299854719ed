import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../postgres/database.ts';
import { createPgJobStore } from '../postgres/job-store.ts';
import { createPgLogStore } from '../postgres/log-store.ts';
import { migrate } from '../postgres/migrator.ts';
import { createPgTokenStore } from '../postgres/token-store.ts';
import { storeContract, type StoreFixture } from '../postgres/test-support/store-contract.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';

// The same contract suite the Postgres adapter passes, here against PGlite through its socket.
let pg: EmbeddedPostgres;
let db: Db;
let fixture: StoreFixture;
const dataDir = mkdtempSync(join(tmpdir(), 'rc-pglite-'));
before(async () => {
  pg = await startEmbeddedPostgres({ dataDir });
  db = openDatabase({ connectionString: pg.connectionString, maxConnections: 4 });
  await migrate(db);
  fixture = { jobs: createPgJobStore(db), logs: createPgLogStore(db), tokens: createPgTokenStore(db), db };
});
after(async () => {
  await closeDatabase(db);
  await pg.close();
  rmSync(dataDir, { recursive: true, force: true });
});

storeContract('pglite', () => fixture);
