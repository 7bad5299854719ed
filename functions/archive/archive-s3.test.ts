import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { delay, http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { createS3Client } from '../../adapters/s3/s3-client.ts';
import { createS3ObjectStore } from '../../adapters/s3/s3-object-store.ts';
import { startS3rver, type RunningS3rver } from '../../adapters/s3/test-support/s3rver-server.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger } from '../deps.ts';
import { archiveDueLogs } from './archive-due-logs.ts';
import { archiveJobLog } from './archive-job-log.ts';
import { archiveSuite } from './test-support/archive-suite.ts';
import { archiveFixture, chunkCount, jobWithLog, readAll, rec, type ArchiveFixture } from './test-support/archive-fixture.ts';

let s3: RunningS3rver;
let t: TestDatabase;
let f: ArchiveFixture;
// msw sits in front of the SDK's requests to inject faults; anything unhandled reaches s3rver.
const faults = setupServer();
before(async () => {
  s3 = await startS3rver(['log-bucket']);
  t = await createTestDatabase();
  f = archiveFixture(t.db, createS3ObjectStore(createS3Client(s3.connection), { bucket: 'log-bucket', keyPrefix: `t-${randomBytes(4).toString('hex')}/` }));
  faults.listen({ onUnhandledRequest: 'bypass' });
});
afterEach(() => faults.resetHandlers());
after(async () => {
  faults.close();
  await t.drop();
  await s3.stop();
});

archiveSuite('s3', () => f);

const isUnavailable = (e: unknown) => e instanceof AppError && e.code === 'unavailable';

for (const [fault, reply] of [
  ['500s', () => new HttpResponse('<Error><Code>InternalError</Code></Error>', { status: 500 })],
  ['connection resets', () => HttpResponse.error()],
] as const) {
  test(`s3: ${fault} while archiving keep every chunk, and a later pass archives with no loss or duplicate`, async () => {
    const id = await jobWithLog(f, Array.from({ length: 40 }, (_, i) => [rec(`r${i}\n`), rec(`s${i}\n`, 'stderr')]));
    const before = await readAll(f, id);
    let puts = 0;
    faults.use(http.put(`${s3.endpoint}/log-bucket/*`, () => (puts++, reply())));
    await assert.rejects(archiveJobLog(f, id), isUnavailable);
    const pass = await archiveDueLogs({ ...f, logger: silentLogger }, { graceMs: 0, limit: 1000 });
    assert.equal(pass.archived, 0);
    assert.ok(pass.failed >= 1);
    assert.ok(puts >= 2, 'the store was really asked');
    assert.equal(await chunkCount(f.db, id), 40, 'no chunk deleted while the store is down');
    assert.equal(await f.archives.get(id), null);
    assert.deepEqual(await readAll(f, id), before);

    faults.resetHandlers();
    const retry = await archiveDueLogs({ ...f, logger: silentLogger }, { graceMs: 0, limit: 1000 });
    assert.ok(retry.archived >= 1 && retry.failed === 0);
    assert.equal(await chunkCount(f.db, id), 0);
    const after = await readAll(f, id);
    assert.deepEqual(after, before);
    assert.equal(new Set(after.map((r) => r.offset)).size, 80);
  });
}

test('s3: a confirmation that disagrees with what was written keeps the chunks', async () => {
  const id = await jobWithLog(f, [[rec('x\n')]]);
  faults.use(http.head(`${s3.endpoint}/log-bucket/*`, () => new HttpResponse(null, { status: 404 })));
  await assert.rejects(archiveJobLog(f, id), isUnavailable);
  assert.equal(await chunkCount(f.db, id), 1);
  faults.resetHandlers();
  assert.equal((await archiveJobLog(f, id)).status, 'archived');
});

test('s3: serving an archive while the store is down is unavailable, and works again after', async () => {
  const id = await jobWithLog(f, [[rec('y\n')]]);
  await archiveJobLog(f, id);
  faults.use(http.get(`${s3.endpoint}/log-bucket/*`, () => new HttpResponse(null, { status: 503 })));
  await assert.rejects(readAll(f, id), isUnavailable);
  faults.resetHandlers();
  faults.use(http.get(`${s3.endpoint}/log-bucket/*`, () => passthrough()));
  assert.deepEqual((await readAll(f, id)).map((r) => r.text), ['y\n']);
});

test('s3: a slow store only delays the archive', async () => {
  const id = await jobWithLog(f, [[rec('slow\n'), rec('but sure\n')]]);
  const before = await readAll(f, id);
  faults.use(http.put(`${s3.endpoint}/log-bucket/*`, async () => (await delay(300), passthrough())));
  assert.equal((await archiveJobLog(f, id)).status, 'archived');
  assert.equal(await chunkCount(f.db, id), 0);
  assert.deepEqual(await readAll(f, id), before);
});
