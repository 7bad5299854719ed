/** Definitions, secrets and audit through the client, against the real app on a real socket. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createSecretCipher, parseMasterKeys } from '../core/secret-cipher.ts';
import { pgDeps } from '../functions/compose/pg-deps.ts';
import { silentLogger } from '../functions/deps.ts';
import { createApp } from '../functions/http/create-app.ts';
import { createApiFixture, testSettings, type ApiFixture } from '../functions/test-support/api-fixture.ts';
import { ClientError, createClient } from './index.ts';

let f: ApiFixture;
let server: ServerType;
let url: string;
before(async () => {
  f = await createApiFixture();
  const cipher = createSecretCipher(parseMasterKeys(`k1:${Buffer.alloc(32, 5).toString('base64')}`, 'REACTORCIDE_SECRET_KEYS'));
  // The contributor's run below names its source by an https URL of example.com, which it must allow.
  const app = createApp(pgDeps(f.db, { ...testSettings, contributorSourceHosts: ['example.com'] }, silentLogger, { prepared: true, secretCipher: cipher }));
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await f.close();
});

const body = { name: 'lint', jobCode: { url: 'https://example.com/job.tgz', sha256: 'c'.repeat(64) }, caps: { timeout: 60 }, roles: ['contributor' as const] };

test('definitions: create, read, list, approve, revoke; a contributor may not write one', async () => {
  const m = createClient({ server: url, token: f.tokens.maintainer });
  const v1 = await m.createDefinition(body);
  assert.equal(v1.version, 1);
  assert.equal(v1.state, 'pending');
  const v2 = await m.createDefinition({ ...body, params: { TARGET: { pattern: '[a-z]+' } } });
  assert.equal(v2.version, 2);
  assert.deepEqual((await m.listDefinitions({ name: 'lint' })).map((d) => d.version), [2, 1]);
  assert.equal((await m.approveDefinition('lint', 2)).state, 'approved');
  assert.equal((await m.getDefinition('lint', 2)).state, 'approved');
  assert.equal((await m.revokeDefinition('lint', 2)).state, 'revoked');
  await assert.rejects(m.getDefinition('lint', 9), (e: unknown) => e instanceof ClientError && e.code === 'not_found');
  const c = createClient({ server: url, token: f.tokens.contributor });
  await assert.rejects(c.createDefinition(body), (e: unknown) => e instanceof ClientError && e.code === 'forbidden');
});

test('a contributor submits a run of an approved definition through submitJob', async () => {
  const m = createClient({ server: url, token: f.tokens.maintainer });
  const d = await m.createDefinition({ ...body, name: 'run-me' });
  await m.approveDefinition('run-me', d.version);
  const c = createClient({ server: url, token: f.tokens.contributor });
  const job = await c.submitJob({ definition: `run-me@${d.version}`, source: { kind: 'tarball', url: 'https://example.com/pr.tgz', sha256: 'd'.repeat(64) } });
  assert.equal(job.spec.definition?.name, 'run-me');
  await assert.rejects(
    c.submitJob({ source: { kind: 'tarball', url: 'https://example.com/pr.tgz' }, command: ['sh'] }),
    (e: unknown) => e instanceof ClientError && e.code === 'forbidden',
  );
});

test('secrets: put, list (metadata only), delete; the audit log shows the writes', async () => {
  const a = createClient({ server: url, token: f.tokens.admin });
  const info = await a.putSecret('CLIENT_SECRET', 'a-value-long-enough');
  assert.equal(info.name, 'CLIENT_SECRET');
  assert.equal(JSON.stringify(await a.listSecrets()).includes('a-value-long-enough'), false);
  assert.deepEqual((await a.listSecrets()).map((s) => s.name), ['CLIENT_SECRET']);
  await assert.rejects(a.putSecret('SHORT', 'abc'), (e: unknown) => e instanceof ClientError && e.code === 'invalid_input');
  await a.deleteSecret('CLIENT_SECRET');
  await assert.rejects(a.deleteSecret('CLIENT_SECRET'), (e: unknown) => e instanceof ClientError && e.code === 'not_found');
  const audit = await a.listAudit({ action: ['secret.put', 'secret.delete'] });
  assert.deepEqual(audit.entries.map((e) => e.action), ['secret.delete', 'secret.put']);
  await assert.rejects(createClient({ server: url, token: f.tokens.maintainer }).listSecrets(), (e: unknown) => e instanceof ClientError && e.code === 'forbidden');
});
