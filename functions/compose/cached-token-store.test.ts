import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgJobTokenStore } from '../../adapters/postgres/job-token-store.ts';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { cachedTokenStore } from './cached-token-store.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

test('a cached token is served without the database until its time is up; revocation here is immediate', async () => {
  let clock = 1_000_000;
  const inner = createPgTokenStore(t.db);
  const cached = cachedTokenStore(inner, { ttlMs: 2000, now: () => clock });
  const a = await cached.create({ name: 'a', role: 'viewer', expiresAt: null, createdBy: null });
  assert.equal((await cached.verify(a.token))?.id, a.info.id);
  // Revoked behind the cache's back (as by another replica): still trusted within the TTL…
  await inner.revoke(a.info.id);
  assert.equal((await cached.verify(a.token))?.id, a.info.id);
  // …and refused once it is over.
  clock += 2001;
  assert.equal(await cached.verify(a.token), null);

  const b = await cached.create({ name: 'b', role: 'viewer', expiresAt: null, createdBy: null });
  assert.notEqual(await cached.verify(b.token), null);
  assert.equal(await cached.revoke(b.info.id), true);
  assert.equal(await cached.verify(b.token), null);
});

test('expiry is checked on every use: an expired cached token goes back to the database', async () => {
  let clock = Date.now();
  const inner = createPgTokenStore(t.db);
  let calls = 0;
  const counted = { ...inner, verify: (token: string) => (calls++, inner.verify(token)) };
  const cached = cachedTokenStore(counted, { ttlMs: 60_000, now: () => clock });
  const c = await cached.create({ name: 'c', role: 'viewer', expiresAt: new Date(clock + 5_000).toISOString(), createdBy: null });
  await cached.verify(c.token);
  await cached.verify(c.token);
  assert.equal(calls, 1);
  clock += 6_000;
  await cached.verify(c.token);
  assert.equal(calls, 2);
  assert.equal(cachedTokenStore(inner, { ttlMs: 0 }), inner);
});

test('a job token is never cached: the end of its run, which no replica is told of, refuses it at once', async () => {
  const inner = createPgTokenStore(t.db);
  const cached = cachedTokenStore(inner, { ttlMs: 60_000 });
  const submitter = await inner.create({ name: 'm', role: 'maintainer', expiresAt: null, createdBy: null });
  const spec = { source: { kind: 'directory' as const, path: '/src' }, env: {}, secrets: [], resources: {}, timeout: 60, priority: 0, queue: 'default', labels: {}, dependsOn: [] };
  const { job } = await createPgJobStore(t.db).submit({ spec, submittedBy: submitter.info.id });
  await t.db.none(`UPDATE jobs SET state = 'running' WHERE id = $1`, [job.id]);
  const minted = await createPgJobTokenStore(t.db).mint({ jobId: job.id, expiresAt: new Date(Date.now() + 60_000).toISOString() });
  assert.ok(minted);
  assert.equal((await cached.verify(minted.token))?.jobId, job.id);
  await t.db.none(`UPDATE jobs SET state = 'succeeded' WHERE id = $1`, [job.id]);
  assert.equal(await cached.verify(minted.token), null);
});

test('a burst of requests with one token makes one lookup; an unknown token is looked up again each time', async () => {
  const inner = createPgTokenStore(t.db);
  let calls = 0;
  const counted = { ...inner, verify: (token: string) => (calls++, inner.verify(token)) };
  const cached = cachedTokenStore(counted, { ttlMs: 60_000 });
  const d = await cached.create({ name: 'd', role: 'viewer', expiresAt: null, createdBy: null });
  const seen = await Promise.all(Array.from({ length: 20 }, () => cached.verify(d.token)));
  assert.deepEqual(new Set(seen.map((i) => i?.id)), new Set([d.info.id]));
  assert.equal(calls, 1);
  const unknown = `${d.token.slice(0, -4)}xxxx`;
  assert.equal(await cached.verify(unknown), null);
  assert.equal(await cached.verify(unknown), null);
  assert.equal(calls, 3, 'a failed verification is not cached');
});
