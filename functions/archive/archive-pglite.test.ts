import { before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsObjectStore } from '../../adapters/fs/fs-object-store.ts';
import { startEmbeddedPostgres } from '../../adapters/pglite/embedded-postgres.ts';
import { closeDatabase, openDatabase, type Db } from '../../adapters/postgres/database.ts';
import { migrate } from '../../adapters/postgres/migrator.ts';
import { archiveSuite } from './test-support/archive-suite.ts';
import { archiveFixture, type ArchiveFixture } from './test-support/archive-fixture.ts';

// The embedded default: the same archiver over PGlite (one Postgres session through its socket).
let dir: string;
let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let db: Db;
let f: ArchiveFixture;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-archive-pglite-'));
  pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pglite') });
  db = openDatabase({ ...pg.connection, maxConnections: 4 });
  await migrate(db);
  f = archiveFixture(db, createFsObjectStore({ root: join(dir, 'objects') }), { prepared: false });
});
after(async () => {
  await closeDatabase(db);
  await pg.close();
  await rm(dir, { recursive: true, force: true });
});

archiveSuite('pglite', () => f);
