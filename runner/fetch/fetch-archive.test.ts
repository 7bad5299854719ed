import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import { fetchArchive } from './fetch-archive.ts';
import { makeSandbox, makeTar, sha256, type Member } from './test-support/tarballs.ts';

const project: Member[] = [
  { header: { name: 'repo-abc123/', type: 'directory', mode: 0o755 } },
  { header: { name: 'repo-abc123/README.md' }, body: '# hello\n' },
  { header: { name: 'repo-abc123/bin/run.sh', mode: 0o755 }, body: '#!/bin/sh\necho hi\n' },
  { header: { name: 'repo-abc123/latest', type: 'symlink', linkname: 'bin/run.sh' } },
];

const isApp = (code: string, re?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.message);
  if (re) assert.match(err.message, re);
  return true;
};

async function serve(
  handler: (path: string, req: IncomingMessage) => { status: number; body?: Buffer; headers?: Record<string, string> },
) {
  const server: Server = createServer((req, res) => {
    const r = handler(req.url ?? '/', req);
    res.writeHead(r.status, r.headers ?? {});
    res.end(r.body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

test('extracts a .tar.gz from file:// (gzip found by magic bytes, not by name) and reports what it did', async () => {
  const box = await makeSandbox();
  try {
    const archive = await makeTar(project, { gzip: true });
    const progress: number[] = [];
    const res = await fetchArchive(await box.file(archive, 'code.bin'), box.dest, {
      onProgress: (p) => progress.push(p.bytes),
    });
    assert.equal(res.sha256, sha256(archive));
    assert.equal(res.bytes, archive.length);
    assert.equal(res.files, 4);
    assert.equal(res.attempts, 1);
    assert.ok(res.totalBytes > archive.length);
    assert.equal(progress.at(-1), archive.length);
    assert.equal(await readFile(join(box.dest, 'repo-abc123/README.md'), 'utf8'), '# hello\n');
    assert.equal((await stat(join(box.dest, 'repo-abc123/bin/run.sh'))).mode & 0o777, 0o755);
    assert.deepEqual(await readdir(box.work), ['src'], 'no staging directory left beside it');
  } finally {
    await box.cleanup();
  }
});

test('strips the single top-level directory', async () => {
  const box = await makeSandbox();
  try {
    const url = await box.file(await makeTar(project));
    await fetchArchive(url, box.dest, { stripTopLevel: true });
    assert.deepEqual((await readdir(box.dest)).sort(), ['README.md', 'bin', 'latest']);
    assert.equal(await readlink(join(box.dest, 'latest')), 'bin/run.sh');
  } finally {
    await box.cleanup();
  }
});

test('strip refuses an archive without a single top-level directory, and a symlink climbing out of it', async () => {
  const box = await makeSandbox();
  try {
    const two = await box.file(await makeTar([...project, { header: { name: 'other.txt' }, body: 'x' }]));
    await assert.rejects(fetchArchive(two, box.dest, { stripTopLevel: true }), isApp('invalid_input', /single top-level/));
    const climbing = await box.file(
      await makeTar([...project, { header: { name: 'repo-abc123/sneaky', type: 'symlink', linkname: '../repo-abc123/README.md' } }]),
    );
    // Fine without strip (it stays inside the archive), outside the workspace once stripped.
    await assert.rejects(fetchArchive(climbing, box.dest, { stripTopLevel: true }), isApp('invalid_input', /sneaky.*outside/));
    assert.deepEqual(await readdir(box.work), []);
    await fetchArchive(climbing, box.dest);
  } finally {
    await box.cleanup();
  }
});

test('a matching sha256 passes; a mismatch names both digests and leaves nothing behind', async () => {
  const box = await makeSandbox();
  try {
    const archive = await makeTar(project, { gzip: true });
    const url = await box.file(archive);
    const wrong = 'f'.repeat(64);
    await assert.rejects(fetchArchive(url, box.dest, { sha256: wrong }), (err: unknown) => {
      isApp('invalid_input', /sha256 mismatch/)(err);
      const e = err as AppError;
      assert.ok(e.message.includes(wrong) && e.message.includes(sha256(archive)), e.message);
      assert.deepEqual(e.details, { expected: wrong, actual: sha256(archive) });
      return true;
    });
    assert.deepEqual(await readdir(box.work), []);
    await fetchArchive(url, box.dest, { sha256: `sha256:${sha256(archive).toUpperCase()}` });
    assert.ok((await stat(join(box.dest, 'repo-abc123'))).isDirectory());
    await assert.rejects(fetchArchive(url, join(box.work, 'x'), { sha256: 'abc' }), isApp('invalid_input', /64 hex/));
  } finally {
    await box.cleanup();
  }
});

test('the destination must be absent or empty; an empty one is filled', async () => {
  const box = await makeSandbox();
  try {
    const url = await box.file(await makeTar(project));
    await mkdir(box.dest);
    await fetchArchive(url, box.dest);
    await assert.rejects(fetchArchive(url, box.dest), isApp('conflict'));
    const file = join(box.work, 'a-file');
    await writeFile(file, 'x');
    await assert.rejects(fetchArchive(url, file), isApp('conflict'));
  } finally {
    await box.cleanup();
  }
});

test('http is refused unless allowed; over loopback it works; 404 is not_found; garbage is invalid', async () => {
  const box = await makeSandbox();
  const archive = await makeTar(project, { gzip: true });
  const seenEncodings: (string | undefined)[] = [];
  const server = await serve((path, req) => {
    seenEncodings.push(req.headers['accept-encoding']);
    return path === '/code.tgz'
      ? { status: 200, body: archive }
      : path === '/garbage'
        ? { status: 200, body: Buffer.from('<html>not a tarball at all, but long enough to parse</html>'.repeat(20)) }
        : path === '/hop'
          ? { status: 302, headers: { location: '/code.tgz' } }
          : { status: 404 };
  });
  try {
    await assert.rejects(fetchArchive(`${server.base}/code.tgz`, box.dest), isApp('invalid_input', /plain http/));
    const res = await fetchArchive(`${server.base}/hop`, box.dest, { allowHttp: true, sha256: sha256(archive) });
    assert.equal(res.bytes, archive.length);
    await assert.rejects(
      fetchArchive(`${server.base}/missing?token=s3cr3t`, join(box.work, 'b'), { allowHttp: true }),
      (err: unknown) => {
        isApp('not_found', /HTTP 404/)(err);
        assert.doesNotMatch((err as Error).message, /s3cr3t/);
        return true;
      },
    );
    await assert.rejects(fetchArchive(`${server.base}/garbage`, join(box.work, 'c'), { allowHttp: true }), isApp('invalid_input'));
    // A declared length over the limit is refused before the body is read.
    await assert.rejects(
      fetchArchive(`${server.base}/code.tgz`, join(box.work, 'd'), { allowHttp: true, limits: { maxArchiveBytes: 100 } }),
      isApp('too_large', new RegExp(`maxArchiveBytes 100 \\(${archive.length}\\)`)),
    );
    assert.equal(seenEncodings.at(-1), 'identity');
    assert.deepEqual((await readdir(box.work)).sort(), ['src']);
  } finally {
    await server.close();
    await box.cleanup();
  }
});

test('unsupported schemes, s3 without an opener, missing files and refused file URLs', async () => {
  const box = await makeSandbox();
  try {
    await assert.rejects(fetchArchive('ftp://example.com/x.tar', box.dest), isApp('invalid_input', /unsupported URL scheme/));
    await assert.rejects(fetchArchive('s3://bucket/key.tgz', box.dest), isApp('invalid_input', /no S3 store/));
    await assert.rejects(fetchArchive('file:///nonexistent/x.tar', box.dest), isApp('not_found'));
    await assert.rejects(fetchArchive(await box.file(Buffer.from('x')), box.dest, { allowFile: false }), isApp('invalid_input', /file URLs/));
    await assert.rejects(fetchArchive(await box.file(Buffer.alloc(0)), box.dest), isApp('invalid_input', /empty/));
  } finally {
    await box.cleanup();
  }
});

test('cancelling through the signal stops the fetch and leaves nothing', async () => {
  const box = await makeSandbox();
  try {
    const url = await box.file(await makeTar(project));
    const ctl = new AbortController();
    ctl.abort(new Error('job cancelled'));
    await assert.rejects(fetchArchive(url, box.dest, { signal: ctl.signal }), (err: unknown) => {
      isApp('unavailable', /cancelled/)(err);
      assert.equal((err as AppError).details?.['cancelled'], true);
      return true;
    });
    assert.deepEqual(await readdir(box.work), []);
  } finally {
    await box.cleanup();
  }
});

test('large files stream to disk intact next to small ones', async () => {
  const box = await makeSandbox();
  try {
    const big = randomBytes(3 * 1024 * 1024 + 5);
    const url = await box.file(
      await makeTar([{ header: { name: 'big.bin', mode: 0o600 }, body: big }, { header: { name: 'small.txt' }, body: 's' }], { gzip: true }),
    );
    await fetchArchive(url, box.dest);
    assert.ok((await readFile(join(box.dest, 'big.bin'))).equals(big));
    assert.equal(await readFile(join(box.dest, 'small.txt'), 'utf8'), 's');
  } finally {
    await box.cleanup();
  }
});
