import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../../postgres/database.ts';
import { migrate } from '../../postgres/migrator.ts';
import { startEmbeddedPostgres } from '../embedded-postgres.ts';

export interface MigratedPglite {
  readonly db: Db;
  close(): Promise<void>;
}

/** Embedded PGlite in a fresh temporary directory, migrated; `close` removes the directory. */
export async function openMigratedPglite(dirPrefix: string): Promise<MigratedPglite> {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  const db = openDatabase({ ...pg.connection, maxConnections: 4 });
  await migrate(db);
  return {
    db,
    async close() {
      await closeDatabase(db);
      await pg.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
