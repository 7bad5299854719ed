import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../postgres/database.ts';
import { createPgReadiness, migrate } from '../postgres/migrator.ts';
import { createPgTokenStore } from '../postgres/token-store.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

test('data survives a restart from the same data directory, and migrations are not re-applied', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-pglite-'));
  try {
    const first = await startEmbeddedPostgres({ dataDir });
    const db1 = openDatabase({ connectionString: first.connectionString, maxConnections: 2 });
    assert.ok((await migrate(db1)).length > 0);
    const { token } = await createPgTokenStore(db1).create({ name: 'boot', role: 'admin', expiresAt: null, createdBy: null });
    await closeDatabase(db1);
    await first.close();

    const second = await startEmbeddedPostgres({ dataDir });
    const db2 = openDatabase({ connectionString: second.connectionString, maxConnections: 2 });
    try {
      assert.deepEqual(await migrate(db2), []);
      const status = await createPgReadiness(db2).schemaStatus();
      assert.equal(status.applied, status.expected);
      assert.equal((await createPgTokenStore(db2).verify(token))?.role, 'admin');
    } finally {
      await closeDatabase(db2);
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
