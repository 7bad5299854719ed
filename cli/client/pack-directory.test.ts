import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { ClientError, createClient } from '../../client/index.ts';
import { parseServerConfig } from '../../functions/compose/config.ts';
import { openObjectStorage } from '../../functions/compose/object-storage.ts';
import { pgDeps } from '../../functions/compose/pg-deps.ts';
import { silentLogger } from '../../functions/deps.ts';
import { createApp } from '../../functions/http/create-app.ts';
import { fetchArchive } from '../../runner/fetch/fetch-archive.ts';
import { packDirectory } from './pack-directory.ts';
import { tarballSource, uploadDirectory } from './upload-blob.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-pack-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tree(root: string): Promise<void> {
  await mkdir(join(root, 'src/deep'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await writeFile(join(root, 'README'), 'hello\n');
  await writeFile(join(root, 'src/deep/data.bin'), Buffer.alloc(300_000, 7));
  await writeFile(join(root, 'run.sh'), 'echo hi\n');
  await chmod(join(root, 'run.sh'), 0o750);
  await symlink('deep/data.bin', join(root, 'src/link-to-data'));
  await writeFile(join(root, 'ignored.log'), 'x');
}

async function bytes(root: string, ignore?: (p: string) => boolean): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of packDirectory(root, ignore ? { ignore } : {})) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('the same tree packs to the same bytes, whatever the times', async () => {
  const root = join(dir, 'same');
  await tree(root);
  const first = await bytes(root);
  await utimes(join(root, 'README'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.deepEqual(await bytes(root), first);
  await writeFile(join(root, 'README'), 'hellO\n');
  assert.notDeepEqual(await bytes(root), first);
});

test('round trip through the runner extractor: contents, modes, links kept as links, ignore honoured', async () => {
  const root = join(dir, 'round');
  await tree(root);
  const archive = join(dir, 'round.tgz');
  await pipeline(packDirectory(root, { ignore: (p) => p.endsWith('.log') }), createWriteStream(archive));
  const out = join(dir, 'round-out');
  const result = await fetchArchive(pathToFileURL(archive).href, out);
  assert.equal(result.files, 7); // 3 directories, 3 files, 1 link: ignored.log left out
  assert.equal(await readFile(join(out, 'README'), 'utf8'), 'hello\n');
  assert.deepEqual(await readFile(join(out, 'src/deep/data.bin')), Buffer.alloc(300_000, 7));
  assert.ok(((await stat(join(out, 'run.sh'))).mode & 0o100) !== 0, 'executable bit kept');
  assert.ok((await lstat(join(out, 'src/link-to-data'))).isSymbolicLink());
  assert.equal(await readlink(join(out, 'src/link-to-data')), 'deep/data.bin');
  assert.ok((await stat(join(out, 'empty'))).isDirectory());
  await assert.rejects(stat(join(out, 'ignored.log')));
});

test('a link that leaves the directory is packed as it is, and the extractor refuses it', async () => {
  const root = join(dir, 'escape');
  await mkdir(root);
  await symlink('../../../etc/passwd', join(root, 'evil'));
  const archive = join(dir, 'escape.tgz');
  await pipeline(packDirectory(root), createWriteStream(archive));
  await assert.rejects(fetchArchive(pathToFileURL(archive).href, join(dir, 'escape-out')), /evil/);
});

test('uploadDirectory sends the packed tree to PUT /v1/blobs over a real socket', async () => {
  const t: TestDatabase = await createTestDatabase();
  const storage = openObjectStorage(parseServerConfig({}, join(dir, 'server')));
  const deps = pgDeps(t.db, { maxBodyBytes: 1024, followPollMs: 20 }, silentLogger, { prepared: true, storage });
  const token = (await deps.tokens.create({ name: 'm', role: 'maintainer', expiresAt: null, createdBy: null })).token;
  const viewer = (await deps.tokens.create({ name: 'v', role: 'viewer', expiresAt: null, createdBy: null })).token;
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  try {
    const root = join(dir, 'upload');
    await tree(root);
    const apiUrl = `http://127.0.0.1:${port}`;
    const blob = await uploadDirectory(createClient({ server: apiUrl, token }), root);
    assert.equal(blob.size, (await bytes(root)).length);
    const source = tarballSource(blob);
    const out = join(dir, 'upload-out');
    await fetchArchive(source.url, out, { sha256: source.sha256 });
    assert.equal(await readFile(join(out, 'run.sh'), 'utf8'), 'echo hi\n');
    await assert.rejects(uploadDirectory(createClient({ server: apiUrl, token: viewer }), root), (e: unknown) => e instanceof ClientError && e.code === 'forbidden');
  } finally {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await t.drop();
  }
});
