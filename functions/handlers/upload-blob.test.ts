import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { createS3Client } from '../../adapters/s3/s3-client.ts';
import { createS3ObjectStore } from '../../adapters/s3/s3-object-store.ts';
import { startS3rver, type RunningS3rver } from '../../adapters/s3/test-support/s3rver-server.ts';
import type { Role } from '../../core/roles.ts';
import { fetchArchive } from '../../runner/fetch/fetch-archive.ts';
import { makeTar, sha256 } from '../../runner/fetch/test-support/tarballs.ts';
import { parseServerConfig } from '../compose/config.ts';
import { openObjectStorage } from '../compose/object-storage.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { silentLogger, type BlobStorage } from '../deps.ts';
import { createApp } from '../http/create-app.ts';

let t: TestDatabase;
let dir: string;
let s3: RunningS3rver;
let tarball: Buffer;
const blobMaxBytes = 64 * 1024;

before(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'rc-blobs-'));
  s3 = await startS3rver(['blob-bucket']);
  tarball = await makeTar(
    [
      { header: { name: 'proj/', type: 'directory' } },
      { header: { name: 'proj/reactorcide_job.sh', mode: 0o755 }, body: 'echo uploaded\n' },
    ],
    { gzip: true },
  );
});
after(async () => {
  await t.drop();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

async function api(storage: BlobStorage | undefined) {
  const settings = { maxBodyBytes: 1024, followPollMs: 20, blobMaxBytes };
  const deps = pgDeps(t.db, settings, silentLogger, { prepared: true, ...(storage ? { storage } : {}) });
  const app = createApp(deps);
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'maintainer', 'contributor', 'viewer'] as const) {
    tokens[role] = (await deps.tokens.create({ name: role, role, expiresAt: null, createdBy: null })).token;
  }
  const put = (role: Role | null, body: Buffer | ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}) =>
    Promise.resolve(
      app.request('/v1/blobs', {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}), ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit),
    );
  return { app, put, storage };
}

/** A body with no Content-Length: the limit must be enforced while it streams. */
const chunked = (bytes: Buffer, pieces = 8): ReadableStream<Uint8Array> => {
  const size = Math.ceil(bytes.length / pieces);
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(i, (i += size)));
    },
  });
};

test('fs: maintainers and admins upload; the URL is a file the runner fetches and verifies by the digest', async () => {
  const { put, storage } = await api(openObjectStorage(parseServerConfig({}, dir)));
  const res = await put('maintainer', tarball);
  assert.equal(res.status, 201);
  const blob = (await res.json()) as { url: string; sha256: string; size: number };
  assert.equal(blob.sha256, sha256(tarball));
  assert.equal(blob.size, tarball.length);
  assert.match(blob.url, /^file:\/\/\/.*\/blobs\/sha256\/[0-9a-f]{64}$/);
  assert.deepEqual(await readFile(fileURLToPath(blob.url)), tarball);
  const work = join(dir, 'work');
  const fetched = await fetchArchive(blob.url, work, { sha256: blob.sha256, stripTopLevel: true });
  assert.equal(fetched.sha256, blob.sha256);
  assert.equal(await readFile(join(work, 'reactorcide_job.sh'), 'utf8'), 'echo uploaded\n');

  const again = await put('admin', chunked(tarball));
  assert.equal(again.status, 200, 'the same bytes again are already there');
  assert.deepEqual(await again.json(), blob);
  const stored = [];
  for await (const o of storage!.store.list('blobs/')) stored.push(o.key);
  assert.deepEqual(stored, [`blobs/sha256/${blob.sha256}`]);
});

test('roles, limits and bad bodies: 401, 403, 413 (declared and streamed), 400, and nothing stored', async () => {
  const root = await mkdtemp(join(dir, 'limits-'));
  const { put, storage } = await api(openObjectStorage(parseServerConfig({}, root)));
  assert.equal((await put(null, tarball)).status, 401);
  // Contributors may upload (a pull request's tarball; definitions-api.test.ts); viewers may not.
  assert.equal((await put('viewer', tarball)).status, 403);
  const big = Buffer.concat([tarball, Buffer.alloc(blobMaxBytes)]);
  const declared = await put('admin', big);
  assert.equal(declared.status, 413);
  assert.equal(((await declared.json()) as { error: { code: string } }).error.code, 'too_large');
  assert.equal((await put('admin', chunked(big, 40))).status, 413);
  assert.equal((await put('admin', chunked(Buffer.from('just some text, not an archive'.repeat(40))))).status, 400);
  assert.equal((await put('admin', null)).status, 400);
  const stored = [];
  for await (const o of storage!.store.list('')) stored.push(o.key);
  assert.deepEqual(stored, []);
  // The JSON body limit (1 KiB here) does not apply to blobs, and still applies elsewhere.
  assert.ok(tarball.length < 1024);
  assert.equal((await put('admin', Buffer.concat([tarball, Buffer.alloc(4096)]))).status, 201);
});

test('s3: the URL is s3://bucket/key and the object holds exactly the bytes and digest', async () => {
  const store = createS3ObjectStore(createS3Client(s3.connection), { bucket: 'blob-bucket' });
  const { put } = await api({ store, urlOf: (key) => `s3://blob-bucket/${key}` });
  const res = await put('maintainer', chunked(tarball));
  assert.equal(res.status, 201);
  const blob = (await res.json()) as { url: string; sha256: string };
  assert.equal(blob.url, `s3://blob-bucket/blobs/sha256/${sha256(tarball)}`);
  const head = await store.head(`blobs/sha256/${blob.sha256}`);
  assert.equal(head?.size, tarball.length);
  assert.equal(head?.sha256, blob.sha256);
});

test('no object store configured: 503', async () => {
  const { put } = await api(undefined);
  assert.equal((await put('admin', tarball)).status, 503);
});
