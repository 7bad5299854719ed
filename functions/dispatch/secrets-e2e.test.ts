/**
 * Secrets end to end, written as an attacker would: a job that prints every secret it got in
 * every encoding the masking engine knows, over stdout and stderr, split across writes, through
 * the real API, dispatcher, process executor and runner. Every place a value could surface is
 * read back — the live log, `?follow=true`, the archived log, the job's status, the server's own
 * logs — and none may hold a value in any form.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { pino } from 'pino';
import type { Db } from '../../adapters/postgres/database.ts';
import type { Job } from '../../core/job.ts';
import type { Role } from '../../core/roles.ts';
import { createSecretCipher, parseMasterKeys } from '../../core/secret-cipher.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { parseServerConfig } from '../compose/config.ts';
import { openObjectStorage } from '../compose/object-storage.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { createApp } from '../http/create-app.ts';
import { freshDatabase } from '../test-support/api-fixture.ts';

// Values chosen to exercise every encoding: slashes, plus, quotes, ampersand, spaces, unicode.
const secrets = {
  DEPLOY_TOKEN: `dpl_${Math.random().toString(36).slice(2)}_Zx9/+q=&"it's" é<tag>`,
  NPM_TOKEN: `npm_${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`,
};

/** Every form of a value a reader could turn back into the value. */
function forms(value: string): string[] {
  const b = Buffer.from(value, 'utf8');
  const out = [
    value,
    b.toString('base64').replace(/=+$/, ''),
    b.toString('base64url'),
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ];
  // Long enough pieces that a partial leak is caught, short enough to be a real part of the value.
  for (let i = 0; i + 12 <= value.length; i += 6) out.push(value.slice(i, i + 12));
  return [...new Set(out)];
}

function assertNoSecret(where: string, text: string): void {
  for (const [name, value] of Object.entries(secrets)) {
    for (const form of forms(value)) assert.ok(!text.includes(form), `${where} holds ${name} as ${JSON.stringify(form)}`);
  }
}

// The attacker's job: every encoding the engine knows, on both channels, each split across writes.
const leakyJob = `
const enc = (v) => {
  const b = Buffer.from(v, 'utf8');
  const hex = b.toString('hex');
  return [
    v, v.toUpperCase(), v.toLowerCase(), JSON.stringify(v), JSON.stringify(JSON.stringify(v)),
    encodeURIComponent(v), encodeURI(v), new URLSearchParams({ v }).toString(),
    b.toString('base64'), b.toString('base64url'), Buffer.concat([Buffer.from('x'), b]).toString('base64'),
    Buffer.concat([Buffer.from('xy'), b]).toString('base64'), hex, hex.toUpperCase(),
    (b.toString('base64').repeat(3).match(/.{1,76}/g) ?? []).join('\\n'),
    "'" + v.replaceAll("'", "'\\\\''") + "'", v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;'),
  ];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (const name of ['DEPLOY_TOKEN', 'NPM_TOKEN']) {
  const value = process.env[name] ?? '';
  for (const form of enc(value)) {
    for (const stream of [process.stdout, process.stderr]) {
      const half = Math.floor(form.length / 2);
      stream.write('leak ' + name + ': ' + form.slice(0, half));
      await sleep(5);
      stream.write(form.slice(half) + '\\n');
    }
  }
}
console.error('last words: ' + process.env.DEPLOY_TOKEN);
process.exit(Number(process.env.EXIT_CODE ?? '0'));
`;

for (const backend of ['postgres', 'pglite'] as const) describe(`secrets end to end (${backend})`, () => {
  let t: { db: Db; close: () => Promise<void> };
  let server: ServerType;
  let dispatcher: StartedDispatcher;
  let url: string;
  const serverLog: string[] = [];
  const tokens = {} as Record<Role, string>;
  const call = async (role: Role, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const status = async (id: string): Promise<Job> => (await (await call('admin', 'GET', `/v1/jobs/${id}`)).json()) as Job;
  const waitEnd = async (id: string): Promise<Job> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = await status(id);
      if (job.finishedAt !== null && job.finishedAt !== undefined) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const masterKeySetting = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  const cipher = createSecretCipher(parseMasterKeys(masterKeySetting, 'S'));

  before(async () => {
    t = await freshDatabase(backend);
    const dataDir = mkdtempSync(join(tmpdir(), 'rc-secrets-e2e-'));
    const storage = openObjectStorage(parseServerConfig({ REACTORCIDE_DATA_DIR: dataDir }));
    // The server's real logger, captured: the value must not reach it on any path.
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (serverLog.push(chunk.toString('utf8')), done()) });
    const logger = pino({ level: 'trace' }, sink);
    const deps = pgDeps(t.db, { maxBodyBytes: 64 * 1024, followPollMs: 20 }, logger, { prepared: true, storage, secretCipher: cipher });
    for (const role of ['admin', 'maintainer', 'contributor', 'viewer'] as const) {
      tokens[role] = (await deps.tokens.create({ name: `${role}-token`, role, expiresAt: null, createdBy: null })).token;
    }
    server = serve({ fetch: createApp(deps).fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '5' }, dataDir);
    dispatcher = await startConfiguredDispatcher(config, t.db, {
      embedded: backend === 'pglite',
      logger,
      // The dispatcher's own environment holds the master keys, as in a pod: none may reach a job.
      env: { ...process.env, REACTORCIDE_SECRET_KEYS: masterKeySetting, DATABASE_URL: 'postgres://user:db-password-xyz@db/rc' },
      archive: { objects: storage.store, retentionDays: 0 },
      secretCipher: cipher,
    });
    for (const [name, value] of Object.entries(secrets)) {
      const r = await call('admin', 'PUT', `/v1/secrets/${name}`, { value });
      assert.equal(r.status, 200, await r.clone().text());
      assertNoSecret('PUT response', await r.text());
    }
  });
  after(async () => {
    await dispatcher.stop();
    await new Promise((r) => server.close(r));
    await t.close();
  });

  test('a job printing every secret in every encoding, split over writes, shows none of them anywhere', async () => {
    const src = await makeTree({ 'reactorcide_job.mjs': leakyJob });
    const submitted = await call('maintainer', 'POST', '/v1/jobs', {
      source: { kind: 'directory', path: src },
      secrets: Object.keys(secrets),
      env: { EXIT_CODE: '3' },
    });
    assert.equal(submitted.status, 201, await submitted.clone().text());
    const job = (await submitted.json()) as Job;
    const followed = call('admin', 'GET', `/v1/jobs/${job.id}/logs?follow=true`).then((r) => r.text());
    const end = await waitEnd(job.id);
    assert.equal(end.state, 'failed', end.errorReason ?? '');
    assert.equal(end.exitCode, 3);
    const follow = await followed;
    const live = await (await call('admin', 'GET', `/v1/jobs/${job.id}/logs`)).text();
    const ndjson = await (await call('admin', 'GET', `/v1/jobs/${job.id}/logs?format=ndjson`)).text();
    // The job really printed them: every line was masked, not dropped.
    assert.match(live, /leak DEPLOY_TOKEN: \*\*\*DEPLOY_TOKEN\*\*\*/);
    assert.match(live, /leak NPM_TOKEN: \*\*\*NPM_TOKEN\*\*\*/);
    assert.ok((live.match(/leak /g) ?? []).length >= 60, 'every form was printed');
    assertNoSecret('live log', live);
    assertNoSecret('followed log', follow);
    assertNoSecret('ndjson log', ndjson);
    assertNoSecret('status', JSON.stringify(end));
    // Archived, the log is served from object storage: masked there too.
    const deadline = Date.now() + 30_000;
    while ((await t.db.oneOrNone('SELECT 1 FROM job_log_archives WHERE job_id = $1', [job.id])) === null) {
      if (Date.now() > deadline) throw new Error('log never archived');
      await new Promise((r) => setTimeout(r, 200));
    }
    const archived = await (await call('admin', 'GET', `/v1/jobs/${job.id}/logs`)).text();
    assert.match(archived, /\*\*\*DEPLOY_TOKEN\*\*\*/);
    assertNoSecret('archived log', archived);
    // The hand-out is audited: which names, for which job, never a value.
    const audit = await (await call('admin', 'GET', `/v1/audit?targetId=${job.id}`)).text();
    const entries = (JSON.parse(audit) as { entries: { action: string; secretNames: string[] }[] }).entries;
    assert.deepEqual(entries.map((e) => e.action).sort(), ['job.secrets', 'job.submit']);
    assert.deepEqual(entries.find((e) => e.action === 'job.secrets')?.secretNames, Object.keys(secrets));
    assertNoSecret('audit log', audit);
    assertNoSecret('server log', serverLog.join(''));
  });

  test("a job's environment holds its own secrets, never the master keys or the server's settings", async () => {
    const src = await makeTree({ 'reactorcide_job.mjs': 'console.log(JSON.stringify(process.env));\n' });
    const r = await call('maintainer', 'POST', '/v1/jobs', { source: { kind: 'directory', path: src }, secrets: ['NPM_TOKEN'] });
    const end = await waitEnd(((await r.json()) as Job).id);
    assert.equal(end.state, 'succeeded', end.errorReason ?? '');
    const log = await (await call('admin', 'GET', `/v1/jobs/${end.id}/logs`)).text();
    assert.match(log, /"NPM_TOKEN":"\*\*\*NPM_TOKEN\*\*\*"/);
    assert.ok(!log.includes(masterKeySetting.slice(3)) && !log.includes('REACTORCIDE_SECRET_KEYS'), 'no master key in the job');
    assert.ok(!log.includes('db-password-xyz') && !log.includes('DATABASE_URL'), 'no database URL in the job');
    assertNoSecret('env dump', log);
  });

  test('a missing secret ends the job errored, naming it; nothing runs', async () => {
    const src = await makeTree({ 'reactorcide_job.sh': 'echo ran\n' });
    const r = await call('maintainer', 'POST', '/v1/jobs', { source: { kind: 'directory', path: src }, secrets: ['NPM_TOKEN', 'NOT_STORED'] });
    const end = await waitEnd(((await r.json()) as Job).id);
    assert.equal(end.state, 'errored');
    assert.match(end.errorReason ?? '', /NOT_STORED/);
    assert.doesNotMatch(await (await call('admin', 'GET', `/v1/jobs/${end.id}/logs`)).text(), /ran/);
    assertNoSecret('status', JSON.stringify(end));
  });

  test('a tampered ciphertext fails loudly as errored, with no value leaked', async () => {
    await call('admin', 'PUT', '/v1/secrets/TAMPERED_KEY', { value: 'tampered-original-value' });
    await t.db.none(`UPDATE secrets SET ciphertext = overlay(ciphertext placing decode(lpad(to_hex(get_byte(ciphertext, 0) # 255), 2, '0'), 'hex') from 1 for 1) WHERE name = 'TAMPERED_KEY'`);
    const src = await makeTree({ 'reactorcide_job.sh': 'echo "$TAMPERED_KEY"\n' });
    const r = await call('maintainer', 'POST', '/v1/jobs', { source: { kind: 'directory', path: src }, secrets: ['TAMPERED_KEY'] });
    const end = await waitEnd(((await r.json()) as Job).id);
    assert.equal(end.state, 'errored');
    assert.match(end.errorReason ?? '', /secret TAMPERED_KEY could not be decrypted/);
    assert.ok(!JSON.stringify(end).includes('tampered-original'));
  });

  test('no role but admin reaches a secrets or audit route; no route returns a value', async () => {
    const routes: [string, string, unknown?][] = [
      ['PUT', '/v1/secrets/NPM_TOKEN', { value: 'overwritten-by-attacker' }],
      ['GET', '/v1/secrets'],
      ['DELETE', '/v1/secrets/NPM_TOKEN'],
      ['GET', '/v1/audit'],
      ['GET', '/v1/secrets/NPM_TOKEN'],
    ];
    for (const role of ['maintainer', 'contributor', 'viewer'] as const) {
      for (const [method, path, body] of routes) {
        const r = await call(role, method, path, body);
        // There is no route that reads one secret: 404 for everyone, after authentication.
        assert.equal(r.status, path === '/v1/secrets/NPM_TOKEN' && method === 'GET' ? 404 : 403, `${role} ${method} ${path}`);
        assertNoSecret(`${role} ${method} ${path}`, await r.text());
      }
    }
    const listed = await call('admin', 'GET', '/v1/secrets');
    const text = await listed.text();
    assert.deepEqual((JSON.parse(text) as { secrets: { name: string }[] }).secrets.map((s) => s.name).filter((n) => n in secrets), Object.keys(secrets));
    assertNoSecret('admin list', text);
    // Bad input echoes nothing back, and logs nothing of it.
    for (const body of [{ value: secrets.NPM_TOKEN, extra: 1 }, { value: 12 }, `{"value": "${secrets.NPM_TOKEN}"`, { value: 'short' }]) {
      const r = await call('admin', 'PUT', '/v1/secrets/NPM_TOKEN', body);
      assert.equal(r.status, 400);
      assertNoSecret('error response', await r.text());
    }
    assert.equal((await call('admin', 'PUT', '/v1/secrets/REACTORCIDE_X', { value: 'long-enough-value' })).status, 400);
    assert.equal((await call('admin', 'PUT', '/v1/secrets/bad-name', { value: 'long-enough-value' })).status, 400);
    assertNoSecret('server log', serverLog.join(''));
  });

  test('secret writes, token writes and cancels are audited with who did them; filters and cursor work', async () => {
    await call('admin', 'PUT', '/v1/secrets/AUDITED_ONE', { value: 'audited-value-1' });
    assert.equal((await call('admin', 'DELETE', '/v1/secrets/AUDITED_ONE')).status, 204);
    assert.equal((await call('admin', 'DELETE', '/v1/secrets/AUDITED_ONE')).status, 404);
    const created = (await (await call('admin', 'POST', '/v1/tokens', { name: 'temp', role: 'viewer' })).json()) as { id: string };
    assert.equal((await call('admin', 'DELETE', `/v1/tokens/${created.id}`)).status, 204);
    const src = await makeTree({ 'reactorcide_job.sh': 'sleep 30\n' });
    const job = (await (await call('maintainer', 'POST', '/v1/jobs', { source: { kind: 'directory', path: src } })).json()) as Job;
    await call('maintainer', 'POST', `/v1/jobs/${job.id}/cancel`);
    await waitEnd(job.id);
    type Entry = { action: string; actor: { name: string; role: string } | null; target: { id: string } };
    const all: Entry[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await call('admin', 'GET', `/v1/audit?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`)).json()) as { entries: Entry[]; nextCursor: string | null };
      all.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const find = (action: string, id: string) => all.filter((e) => e.action === action && e.target.id === id);
    assert.equal(find('secret.put', 'AUDITED_ONE').length, 1);
    assert.equal(find('secret.delete', 'AUDITED_ONE').length, 1, 'the 404 delete is not recorded');
    assert.equal(find('token.create', created.id)[0]?.actor?.name, 'admin-token');
    assert.equal(find('token.revoke', created.id)[0]?.actor?.role, 'admin');
    assert.equal(find('job.submit', job.id)[0]?.actor?.name, 'maintainer-token');
    assert.equal(find('job.cancel', job.id)[0]?.actor?.name, 'maintainer-token');
    assert.equal(new Set(all.map((e) => JSON.stringify(e))).size, all.length, 'no entry twice across pages');
    const onlyCancels = (await (await call('admin', 'GET', '/v1/audit?action=job.cancel')).json()) as { entries: Entry[] };
    assert.ok(onlyCancels.entries.length >= 1 && onlyCancels.entries.every((e) => e.action === 'job.cancel'));
    assert.equal((await call('admin', 'GET', '/v1/audit?action=nope')).status, 400);
    assert.equal((await call('admin', 'GET', '/v1/audit?cursor=garbage')).status, 400);
  });
});
