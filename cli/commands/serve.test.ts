import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { serveUrl } from '../test-support/serve-url.ts';

// The real command line, through tsx, as a user runs it: bootstrap a token, serve, migrate.
const root = new URL('../../', import.meta.url).pathname;
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
  });

test('embedded: token create bootstraps an admin, serve applies migrations and serves with it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-serve-'));
  try {
    const created = cli(['token', 'create', '--role', 'admin', '--data-dir', dataDir]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^rct_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /shown only now/);

    const server = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', REACTORCIDE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await serveUrl(server).url;
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const res = await fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: { kind: 'directory', path: '.' } }),
      });
      assert.equal(res.status, 201);
      // A second process must not open the same PGlite files.
      const clash = cli(['token', 'create', '--role', 'viewer', '--data-dir', dataDir]);
      assert.notEqual(clash.status, 0);
      assert.match(clash.stderr, /in use by process/);
    } finally {
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('migrate applies the migrations to DATABASE_URL once; bad settings name themselves', async () => {
  const t = await createTestDatabase({ migrated: false });
  try {
    const first = cli(['migrate'], { DATABASE_URL: t.url });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied migrations 1, 2, 3/);
    const again = cli(['migrate'], { DATABASE_URL: t.url });
    assert.match(again.stdout, /schema is current/);
    const bad = cli(['serve'], { REACTORCIDE_PORT: 'http' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /REACTORCIDE_PORT must be an integer/);
  } finally {
    await t.drop();
  }
});

test('serve refuses to start, naming the setting, when the master key does not fit the stored secrets', async () => {
  const t = await createTestDatabase();
  try {
    const { createPgSecretStore } = await import('../../adapters/postgres/secret-store.ts');
    const { createSecretCipher, parseMasterKeys } = await import('../../core/secret-cipher.ts');
    const k1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
    await createPgSecretStore(t.db, createSecretCipher(parseMasterKeys(k1, 'S'))).put('SERVE_SECRET', 'serve-secret-value', { tokenId: null });
    const run = (keys: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--port', '0', '--no-dispatcher'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, DATABASE_URL: t.url, REACTORCIDE_SECRET_KEYS: keys, REACTORCIDE_LOG_LEVEL: 'warn' },
      });
    const missing = run(`k2:${Buffer.alloc(32, 2).toString('base64')}`);
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /^reactorcide: REACTORCIDE_SECRET_KEYS: stored secrets are sealed under key id k1, which is not configured/m);
    const wrong = run(`k1:${Buffer.alloc(32, 9).toString('base64')}`);
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /REACTORCIDE_SECRET_KEYS: the configured key k1 does not decrypt/);
    assert.ok(!(missing.stderr + wrong.stderr).includes('serve-secret-value'));
  } finally {
    await t.drop();
  }
});
