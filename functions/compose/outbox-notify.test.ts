/**
 * On a shared database the API tells dispatchers in other processes about new outbox rows by
 * NOTIFY, so their relay does not have to poll fast: a listener on its own connection hears a
 * submit and a cancel through the app `buildApp` makes for the Node and Lambda entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPgListener } from '../../adapters/pgqueue/index.ts';
import { outboxChannel } from '../../adapters/postgres/outbox-notify.ts';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { silentLogger } from '../deps.ts';
import { minimalSpec } from '../test-support/api-fixture.ts';
import { buildApp } from './build-app.ts';
import { parseServerConfig } from './config.ts';

test('a submit and a cancel through the API on a shared database each NOTIFY the outbox channel', async () => {
  const database = await createTestDatabase();
  let heard = 0;
  let onHeard: () => void = () => {};
  const listener = startPgListener({ db: database.db, channel: outboxChannel, onNotify: () => (heard++, onHeard()) });
  try {
    await listener.listening();
    const config = parseServerConfig({ DATABASE_URL: database.url, REACTORCIDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'rc-notify-')) });
    const app = buildApp(config, database.db, silentLogger, null);
    const token = (await createPgTokenStore(database.db).create({ name: 'm', role: 'maintainer', expiresAt: null, createdBy: null })).token;
    const call = (path: string, body: unknown): Promise<Response> =>
      Promise.resolve(app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    const next = (): Promise<void> => new Promise((resolve) => (onHeard = resolve));

    let notified = next();
    const submitted = await call('/v1/jobs', minimalSpec);
    assert.equal(submitted.status, 201);
    await notified;
    assert.equal(heard, 1);

    notified = next();
    const { id } = (await submitted.json()) as { id: string };
    assert.equal((await call(`/v1/jobs/${id}/cancel`, {})).status, 200);
    await notified;
    assert.equal(heard, 2);
  } finally {
    await listener.close();
    await database.drop();
  }
});
