import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import type { Role } from '../../core/roles.ts';
import { createSecretCipher, parseMasterKeys, type SecretCipher } from '../../core/secret-cipher.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { silentLogger } from '../deps.ts';
import { createApp } from './create-app.ts';

// The secrets routes through app.request, each app with its own master keys over one database.
let t: TestDatabase;
const tokens = {} as Record<Role, string>;
const k1 = parseMasterKeys(`k1:${Buffer.alloc(32, 11).toString('base64')}`, 'S');
const k2 = parseMasterKeys(`k2:${Buffer.alloc(32, 12).toString('base64')}`, 'S');
const appWith = (cipher: SecretCipher | null) => createApp(pgDeps(t.db, { maxBodyBytes: 65536, followPollMs: 20 }, silentLogger, { prepared: true, secretCipher: cipher }));
const call = async (app: ReturnType<typeof appWith>, role: Role, method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

before(async () => {
  t = await createTestDatabase();
  const deps = pgDeps(t.db, { maxBodyBytes: 65536, followPollMs: 20 }, silentLogger, { prepared: true });
  for (const role of ['admin', 'maintainer', 'contributor', 'viewer'] as const) {
    tokens[role] = (await deps.tokens.create({ name: role, role, expiresAt: null, createdBy: null })).token;
  }
});
after(() => t.drop());

test('without a master key the secret routes are 503 for admins, still 403 for others', async () => {
  const app = appWith(null);
  const r = await call(app, 'admin', 'PUT', '/v1/secrets/SOME_SECRET', { value: 'some-long-value' });
  assert.equal(r.status, 503);
  assert.match(await r.text(), /REACTORCIDE_SECRET_KEYS/);
  assert.equal((await call(app, 'admin', 'GET', '/v1/secrets')).status, 503);
  assert.equal((await call(app, 'viewer', 'GET', '/v1/secrets')).status, 403);
  assert.equal((await call(app, 'admin', 'GET', '/v1/audit')).status, 200);
});

test('rotation re-seals under the new key through the API, names values that fail, and is audited', async () => {
  const old = appWith(createSecretCipher(k1));
  for (const name of ['ROT_A', 'ROT_B', 'ROT_BROKEN']) {
    assert.equal((await call(old, 'admin', 'PUT', `/v1/secrets/${name}`, { value: `value-of-${name}` })).status, 200);
  }
  await t.db.none(`UPDATE secrets SET tag = decode(repeat('00', 16), 'hex') WHERE name = 'ROT_BROKEN'`);
  const rotating = appWith(createSecretCipher([...k2, ...k1]));
  assert.equal((await call(rotating, 'maintainer', 'POST', '/v1/secrets/rotate')).status, 403);
  const r = await call(rotating, 'admin', 'POST', '/v1/secrets/rotate');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { rotated: 2, failed: ['ROT_BROKEN'] });
  const listed = (await (await call(rotating, 'admin', 'GET', '/v1/secrets')).json()) as { secrets: { name: string; keyId: string }[] };
  assert.deepEqual(listed.secrets.map((s) => [s.name, s.keyId]), [['ROT_A', 'k2'], ['ROT_B', 'k2'], ['ROT_BROKEN', 'k1']]);
  // The new key alone now opens the rotated values.
  const store = pgDeps(t.db, { maxBodyBytes: 65536, followPollMs: 20 }, silentLogger, { prepared: true, secretCipher: createSecretCipher(k2) }).secrets;
  assert.deepEqual(await store?.resolve(['ROT_A', 'ROT_B']), { ROT_A: 'value-of-ROT_A', ROT_B: 'value-of-ROT_B' });
  const audit = (await (await call(rotating, 'admin', 'GET', '/v1/audit?action=secret.rotate')).json()) as { entries: { secretNames: string[]; detail: object; actor: { role: string } }[] };
  assert.equal(audit.entries.length, 1);
  assert.deepEqual(audit.entries[0]?.secretNames, ['ROT_BROKEN']);
  assert.deepEqual(audit.entries[0]?.detail, { rotated: 2, failed: 1 });
  assert.equal(audit.entries[0]?.actor.role, 'admin');
});
