import { randomBytes } from 'node:crypto';
import { closeDatabase, openDatabase, type Db } from '../database.ts';
import { migrate } from '../migrator.ts';

/** The Postgres the tests talk to: a real server on loopback with trust auth. */
export const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly db: Db;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, so files can run concurrently without seeing each other's
 * rows. `migrated: false` leaves it empty for the migrator's own tests.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `rc_test_${randomBytes(6).toString('hex')}`;
  const admin = openDatabase({ connectionString: adminUrl, maxConnections: 1 });
  await admin.none('CREATE DATABASE $1:name', [name]);
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const db = openDatabase({ connectionString: url, maxConnections: 8 });
  if (options.migrated !== false) await migrate(db);
  return {
    url,
    db,
    async drop() {
      await closeDatabase(db);
      // Not WITH (FORCE): terminating a session whose client is still closing raises an
      // unhandled error in that client. Closed sessions leave within moments; wait for them.
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.none('DROP DATABASE IF EXISTS $1:name', [name]);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await closeDatabase(admin);
    },
  };
}
