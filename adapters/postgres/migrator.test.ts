import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgReadiness, loadMigrations, migrate } from './migrator.ts';
import { createTestDatabase } from './test-support/test-database.ts';

test('migrations apply once, in order, even when started concurrently', async () => {
  const t = await createTestDatabase({ migrated: false });
  try {
    const readiness = createPgReadiness(t.db);
    assert.deepEqual(await readiness.schemaStatus(), { applied: 0, expected: loadMigrations().length });
    const results = await Promise.all([migrate(t.db), migrate(t.db), migrate(t.db)]);
    const applied = results.flat().sort((x, y) => x - y);
    assert.deepEqual(applied, loadMigrations().map((m) => m.version));
    assert.deepEqual(await migrate(t.db), []);
    const status = await readiness.schemaStatus();
    assert.equal(status.applied, status.expected);
  } finally {
    await t.drop();
  }
});

test('a failing migration leaves no trace and is not recorded', async () => {
  const t = await createTestDatabase({ migrated: false });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'rc-mig-'));
    writeFileSync(join(dir, '0001_ok.sql'), 'CREATE TABLE a (x int);');
    writeFileSync(join(dir, '0002_bad.sql'), 'CREATE TABLE b (x int); SELECT * FROM nowhere;');
    await assert.rejects(migrate(t.db, loadMigrations(dir)));
    const rows = await t.db.manyOrNone<{ version: number }>('SELECT version FROM schema_migrations');
    assert.deepEqual(rows.map((r) => r.version), [1]);
    assert.equal((await t.db.one<{ b: string | null }>(`SELECT to_regclass('b')::text AS b`)).b, null);
  } finally {
    await t.drop();
  }
});

test('a database ahead of the code is refused, and gaps in numbering are rejected', async () => {
  const t = await createTestDatabase({ migrated: false });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'rc-mig-'));
    writeFileSync(join(dir, '0001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '0002_b.sql'), 'SELECT 1;');
    await migrate(t.db, loadMigrations(dir));
    await assert.rejects(migrate(t.db, loadMigrations(dir).slice(0, 1)), /newer than this code/);
    writeFileSync(join(dir, '0004_d.sql'), 'SELECT 1;');
    assert.throws(() => loadMigrations(dir), /found 4 at position 3/);
  } finally {
    await t.drop();
  }
});
