import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgSecretStore } from '../../adapters/postgres/secret-store.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { createSecretCipher, parseMasterKeys } from '../../core/secret-cipher.ts';
import { parseServerConfig } from './config.ts';
import { generatedKeyFile, openSecretCipher, verifySecretKeys } from './open-secrets.ts';

const capture = () => {
  const lines: string[] = [];
  const log = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...obj, msg }));
  return { lines, logger: { info: log, warn: log, error: log } };
};

test('embedded without keys: a key is generated into the data directory, 0600, logged by path only, and reused', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'rc-keys-')), 'data');
  const config = parseServerConfig({ REACTORCIDE_DATA_DIR: dataDir });
  const { lines, logger } = capture();
  const first = openSecretCipher(config, logger);
  assert.ok(first !== null);
  const file = generatedKeyFile(dataDir);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const key = readFileSync(file, 'utf8').trim().split(':')[1] ?? '';
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /generated a master key/);
  assert.ok(!lines.join('').includes(key) && !lines.join('').includes(Buffer.from(key, 'base64').toString('hex')));
  const second = openSecretCipher(config, logger);
  assert.equal(lines.length, 1, 'not generated twice');
  assert.equal(second?.open('A_NAME', first.seal('A_NAME', 'same-key-value')), 'same-key-value');
});

test('with DATABASE_URL and no keys, secrets are off; a malformed key setting fails at start naming it', () => {
  assert.equal(openSecretCipher(parseServerConfig({ DATABASE_URL: 'postgres://x/y' }), capture().logger), null);
  assert.throws(() => parseServerConfig({ REACTORCIDE_SECRET_KEYS: 'k1:c2hvcnQ=' }), /REACTORCIDE_SECRET_KEYS: key k1 must be 32 bytes/);
});

test('start-up refuses a key id that is not configured, and a wrong key, with the setting named', async () => {
  const t = await createTestDatabase();
  try {
    const k1 = parseMasterKeys(`k1:${Buffer.alloc(32, 1).toString('base64')}`, 'S');
    await createPgSecretStore(t.db, createSecretCipher(k1)).put('STARTUP_SECRET', 'startup-value', { tokenId: null });
    await verifySecretKeys(t.db, createSecretCipher(k1));
    const k2 = parseMasterKeys(`k2:${Buffer.alloc(32, 2).toString('base64')}`, 'S');
    await assert.rejects(verifySecretKeys(t.db, createSecretCipher(k2)), /REACTORCIDE_SECRET_KEYS: stored secrets are sealed under key id k1, which is not configured/);
    const wrongK1 = parseMasterKeys(`k1:${Buffer.alloc(32, 3).toString('base64')}`, 'S');
    await assert.rejects(verifySecretKeys(t.db, createSecretCipher(wrongK1)), /REACTORCIDE_SECRET_KEYS: the configured key k1 does not decrypt/);
    await verifySecretKeys(t.db, createSecretCipher([...k2, ...k1]));
  } finally {
    await t.drop();
  }
});
