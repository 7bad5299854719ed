import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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

test('the database listens only on a Unix socket in a directory no other user can enter, gone at close', async () => {
  const pg = await startEmbeddedPostgres();
  const host = decodeURIComponent(new URL(pg.connectionString).hostname);
  try {
    // No TCP port: the URL's host is the socket's directory, private to this user.
    assert.ok(host.startsWith('/'), pg.connectionString);
    const dir = statSync(host);
    assert.ok(dir.isDirectory());
    assert.equal(dir.mode & 0o777, 0o700);
    assert.equal(dir.uid, process.getuid?.());
    assert.ok(statSync(join(host, '.s.PGSQL.5432')).isSocket());
    const db = openDatabase({ connectionString: pg.connectionString, maxConnections: 1 });
    try {
      assert.equal((await db.one<{ n: number }>('SELECT 1 AS n')).n, 1);
    } finally {
      await closeDatabase(db);
    }
  } finally {
    await pg.close();
  }
  assert.equal(existsSync(host), false);
});
