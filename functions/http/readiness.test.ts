import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeDatabase, openDatabase } from '../../adapters/postgres/database.ts';
import { migrate } from '../../adapters/postgres/migrator.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { silentLogger } from '../deps.ts';
import { testSettings } from '../test-support/api-fixture.ts';
import { createApp } from './create-app.ts';

test('/readyz is 503 while the schema is behind and 200 once migrated; /healthz does not care', async () => {
  const t = await createTestDatabase({ migrated: false });
  try {
    const app = createApp(pgDeps(t.db, testSettings, silentLogger, { prepared: true }));
    const behind = await app.request('/readyz');
    assert.equal(behind.status, 503);
    const err = ((await behind.json()) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'unavailable');
    assert.match(err.message, /schema is behind: 0 of \d+/);
    assert.equal((await app.request('/healthz')).status, 200);
    await migrate(t.db);
    assert.equal((await app.request('/readyz')).status, 200);
  } finally {
    await t.drop();
  }
});

test('an unreachable database is 503 unavailable, never a 500', async () => {
  // Port 1 on loopback: nothing listens there, so every connection is refused.
  const db = openDatabase({ connectionString: 'postgres://postgres@127.0.0.1:1/none', maxConnections: 1 });
  try {
    const deps = pgDeps(db, testSettings, silentLogger, { prepared: true });
    const app = createApp(deps);
    const ready = await app.request('/readyz');
    assert.equal(ready.status, 503);
    const res = await app.request('/v1/jobs', { headers: { authorization: `Bearer rct_${'a'.repeat(43)}` } });
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unavailable');
  } finally {
    await closeDatabase(db);
  }
});
