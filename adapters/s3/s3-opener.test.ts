import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { AppError } from '../../core/errors.ts';
import { fetchArchive } from '../../runner/fetch/index.ts';
import { makeTar, sha256 } from '../../runner/fetch/test-support/tarballs.ts';
import { createS3Client } from './s3-client.ts';
import { createS3ObjectStore } from './s3-object-store.ts';
import { createS3Opener } from './s3-opener.ts';
import { startS3rver, type RunningS3rver } from './test-support/s3rver-server.ts';

let s3: RunningS3rver;
let work: string;
let archive: Buffer;
// msw sits in front of the SDK's http requests to inject faults; anything unhandled reaches s3rver.
const faults = setupServer();
before(async () => {
  s3 = await startS3rver(['code-bucket']);
  work = await mkdtemp(join(tmpdir(), 's3-fetch-'));
  archive = await makeTar(
    [
      { header: { name: 'proj/', type: 'directory' } },
      { header: { name: 'proj/job.sh', mode: 0o755 }, body: 'echo from s3\n' },
    ],
    { gzip: true },
  );
  const store = createS3ObjectStore(createS3Client(s3.connection), { bucket: 'code-bucket' });
  await store.put('blobs/sha256/abc.tgz', archive, { contentType: 'application/gzip' });
  faults.listen({ onUnhandledRequest: 'bypass' });
});
after(async () => {
  faults.close();
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

const fast = { retries: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };

test('fetchArchive reads s3://bucket/key through the opener built from the adapter', async () => {
  const openS3 = createS3Opener(createS3Client(s3.connection));
  const dest = join(work, 'ok');
  const res = await fetchArchive('s3://code-bucket/blobs/sha256/abc.tgz', dest, { openS3, sha256: sha256(archive), stripTopLevel: true });
  assert.equal(res.bytes, archive.length);
  assert.equal(await readFile(join(dest, 'job.sh'), 'utf8'), 'echo from s3\n');
});

test('a missing object is not_found and not retried', async () => {
  const openS3 = createS3Opener(createS3Client(s3.connection));
  let calls = 0;
  const counting: typeof openS3 = (b, k, sig) => {
    calls++;
    return openS3(b, k, sig);
  };
  await assert.rejects(
    fetchArchive('s3://code-bucket/blobs/missing.tgz', join(work, 'missing'), { openS3: counting, ...fast }),
    (e: unknown) => e instanceof AppError && e.code === 'not_found',
  );
  assert.equal(calls, 1);
});

test('an S3 500 is unavailable and the fetch retries until the object comes through', async () => {
  let injected = 0;
  faults.use(
    http.get(`${s3.endpoint}/code-bucket/blobs/sha256/abc.tgz`, () => {
      if (injected++ < 2) return new HttpResponse('<Error><Code>InternalError</Code></Error>', { status: 500 });
      return passthrough();
    }),
  );
  const openS3 = createS3Opener(createS3Client(s3.connection));
  const dest = join(work, 'retried');
  const res = await fetchArchive('s3://code-bucket/blobs/sha256/abc.tgz', dest, { openS3, ...fast });
  assert.equal(res.attempts, 3);
  assert.deepEqual(await readdir(dest), ['proj']);
  faults.resetHandlers();
});

test('an S3 store that keeps failing ends as unavailable with nothing left', async () => {
  faults.use(http.get(`${s3.endpoint}/code-bucket/*`, () => new HttpResponse(null, { status: 503 })));
  const openS3 = createS3Opener(createS3Client(s3.connection));
  await assert.rejects(
    fetchArchive('s3://code-bucket/blobs/sha256/abc.tgz', join(work, 'down'), { openS3, ...fast }),
    (e: unknown) => e instanceof AppError && e.code === 'unavailable',
  );
  assert.ok(!(await readdir(work)).some((n) => n.startsWith('.down') || n === 'down'));
  faults.resetHandlers();
});
