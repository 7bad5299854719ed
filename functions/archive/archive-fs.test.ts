import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsObjectStore } from '../../adapters/fs/fs-object-store.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { archiveSuite } from './test-support/archive-suite.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { silentLogger } from '../deps.ts';
import { createApp } from '../http/create-app.ts';
import { archiveJobLog } from './archive-job-log.ts';
import { archiveFixture, chunkCount, jobWithLog, rec, type ArchiveFixture } from './test-support/archive-fixture.ts';

let t: TestDatabase;
let dir: string;
let f: ArchiveFixture;
before(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'rc-archive-fs-'));
  f = archiveFixture(t.db, createFsObjectStore({ root: dir }));
});
after(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

archiveSuite('fs', () => f);

test('fs: the logs route serves an archived job with the same text, NDJSON and X-Next-Offset as before', async () => {
  const id = await jobWithLog(f, [[rec('one\n'), rec('two\n', 'stderr')], [rec('three\n')]]);
  const deps = pgDeps(t.db, { maxBodyBytes: 1024, followPollMs: 10 }, silentLogger, {
    prepared: true,
    storage: { store: f.objects, urlOf: (k) => k },
  });
  const app = createApp(deps);
  const token = (await deps.tokens.create({ name: 'v', role: 'viewer', expiresAt: null, createdBy: null })).token;
  const get = async (query: string) => {
    const res = await app.request(`/v1/jobs/${id}/logs${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type'), next: res.headers.get('x-next-offset'), body: await res.text() };
  };
  const queries = ['', '?offset=1', '?format=ndjson', '?format=ndjson&offset=2', '?offset=7', '?follow=true&format=ndjson&offset=1'];
  const live = await Promise.all(queries.map(get));
  assert.equal((await archiveJobLog(f, id)).status, 'archived');
  assert.equal(await chunkCount(t.db, id), 0);
  const archived = await Promise.all(queries.map(get));
  assert.deepEqual(archived, live);
  assert.equal(live[0]?.body, 'one\ntwo\nthree\n');
});
