import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../../adapters/postgres/database.ts';
import { migrate } from '../../adapters/postgres/migrator.ts';
import { startEmbeddedPostgres } from '../../adapters/pglite/embedded-postgres.ts';
import { lockDataDir } from '../../adapters/pglite/data-dir-lock.ts';
import type { ServerConfig } from './config.ts';

export interface OpenedDatabase {
  readonly db: Db;
  readonly embedded: boolean;
  /** Migration versions applied while opening. */
  readonly applied: readonly number[];
  close(): Promise<void>;
}

/**
 * The database the config names: `DATABASE_URL`, or PGlite in the data directory (locked so a
 * second process cannot open the same files). Migrations run here when the config says so.
 */
export async function openConfiguredDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir' | 'dbPoolSize' | 'autoMigrate'>,
  options: { readonly migrate?: boolean } = {},
): Promise<OpenedDatabase> {
  const shouldMigrate = options.migrate ?? config.autoMigrate;
  if (config.databaseUrl !== null) {
    const db = openDatabase({ connectionString: config.databaseUrl, maxConnections: config.dbPoolSize });
    try {
      const applied = shouldMigrate ? await migrate(db) : [];
      return { db, embedded: false, applied, close: () => closeDatabase(db) };
    } catch (err) {
      await closeDatabase(db);
      throw err;
    }
  }
  const unlock = lockDataDir(config.dataDir);
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let db: Db | undefined;
  try {
    pg = await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'pglite') });
    // PGlite serves one transaction at a time: more connections only queue.
    db = openDatabase({ ...pg.connection, maxConnections: Math.min(config.dbPoolSize, 4) });
    const applied = await migrate(db);
    const opened = { db, pg };
    return {
      db,
      embedded: true,
      applied,
      async close() {
        await closeDatabase(opened.db);
        await opened.pg.close();
        unlock();
      },
    };
  } catch (err) {
    if (db !== undefined) await closeDatabase(db);
    if (pg !== undefined) await pg.close();
    unlock();
    throw err;
  }
}
