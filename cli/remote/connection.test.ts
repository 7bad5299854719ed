import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFilePath, resolveConnection } from './connection.ts';
import { UsageError } from './exit-codes.ts';

test('flag beats env beats config file, for server and token each', async () => {
  const xdg = await mkdtemp(join(tmpdir(), 'rc-conn-'));
  try {
    await mkdir(join(xdg, 'reactorcide'));
    await writeFile(join(xdg, 'reactorcide', 'config.json'), JSON.stringify({ server: 'http://file:1', token: 'file-token' }));
    const env = { XDG_CONFIG_HOME: xdg };
    assert.equal(configFilePath(env), join(xdg, 'reactorcide', 'config.json'));
    assert.deepEqual(await resolveConnection({}, env), { server: 'http://file:1', token: 'file-token' });
    assert.deepEqual(await resolveConnection({}, { ...env, REACTORCIDE_SERVER: 'http://env:2' }), { server: 'http://env:2', token: 'file-token' });
    assert.deepEqual(
      await resolveConnection({ server: 'http://flag:3' }, { ...env, REACTORCIDE_SERVER: 'http://env:2', REACTORCIDE_TOKEN: 'env-token' }),
      { server: 'http://flag:3', token: 'env-token' },
    );
    assert.deepEqual(await resolveConnection({ token: 'flag-token' }, { ...env, REACTORCIDE_TOKEN: 'env-token' }), { server: 'http://file:1', token: 'flag-token' });
    // An empty variable counts as unset, as shells make it easy to leave one empty.
    assert.deepEqual(await resolveConnection({}, { ...env, REACTORCIDE_SERVER: '' }), { server: 'http://file:1', token: 'file-token' });
  } finally {
    await rm(xdg, { recursive: true, force: true });
  }
});

test('HOME/.config without XDG_CONFIG_HOME; no server anywhere is a usage error that says what to do', async () => {
  const home = await mkdtemp(join(tmpdir(), 'rc-home-'));
  try {
    assert.equal(configFilePath({ HOME: home }), join(home, '.config', 'reactorcide', 'config.json'));
    await assert.rejects(resolveConnection({}, { HOME: home }), (e: unknown) => e instanceof UsageError && /no server: pass --server URL, set REACTORCIDE_SERVER/.test(e.message));
    await assert.rejects(resolveConnection({ server: 'localhost:7007' }, { HOME: home }), (e: unknown) => e instanceof UsageError && /--server must be an http/.test(e.message));
    await mkdir(join(home, '.config', 'reactorcide'), { recursive: true });
    await writeFile(join(home, '.config', 'reactorcide', 'config.json'), '{ not json');
    await assert.rejects(resolveConnection({}, { HOME: home }), (e: unknown) => e instanceof UsageError && /is not JSON/.test(e.message));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
