import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import { fetchArchive } from './fetch-archive.ts';
import type { FetchLimits } from './fetch-options.ts';
import { makeSandbox, makeTar, makeZeroBomb, type Member } from './test-support/tarballs.ts';

interface Case {
  readonly name: string;
  readonly members?: (sentinel: string) => Member[];
  readonly archive?: () => Promise<Buffer>;
  readonly gzip?: boolean;
  readonly limits?: Partial<FetchLimits>;
  readonly code: 'invalid_input' | 'too_large';
  /** What the error message must name: the member, the limit. */
  readonly names: RegExp;
}

const file = (name: string, body = 'x'): Member => ({ header: { name }, body });
const symlink = (name: string, linkname: string): Member => ({ header: { name, type: 'symlink', linkname } });
const hardlink = (name: string, linkname: string): Member => ({ header: { name, type: 'link', linkname } });
const dir = (name: string): Member => ({ header: { name, type: 'directory', mode: 0o755 } });

const corpus: Case[] = [
  { name: 'absolute path', members: (s) => [file(join(s, 'pwned'))], code: 'invalid_input', names: /pwned.*absolute/ },
  { name: '../ escape', members: () => [file('ok.txt'), file('a/../../../sentinel/pwned')], code: 'invalid_input', names: /sentinel\/pwned.*"\.\."/ },
  { name: 'symlink escape (relative)', members: () => [symlink('up', '../../sentinel')], code: 'invalid_input', names: /"up".*outside/ },
  { name: 'symlink escape (absolute)', members: (s) => [symlink('abs', s)], code: 'invalid_input', names: /"abs".*absolute/ },
  {
    name: 'symlink then a write through it',
    members: () => [dir('inside/'), symlink('a', 'inside'), file('a/evil')],
    code: 'invalid_input',
    names: /"a\/evil".*through the symlink "a"/,
  },
  {
    name: 'escaping symlink then a write through it',
    members: (s) => [symlink('a', s), file('a/pwned')],
    code: 'invalid_input',
    names: /"a"/,
  },
  {
    name: 'symlink chain that escapes only through another symlink',
    members: () => [symlink('b', 'c/../../x'), symlink('c', '.')],
    code: 'invalid_input',
    names: /"b".*outside/,
  },
  {
    name: 'symlink chain, escaping link declared first',
    members: () => [dir('d/'), symlink('b', 'c/..'), symlink('c', '.')],
    code: 'invalid_input',
    names: /"b".*outside/,
  },
  { name: 'hardlink escape', members: () => [hardlink('h', '../../sentinel/keep.txt')], code: 'invalid_input', names: /"h"/ },
  { name: 'hardlink to an absolute path', members: (s) => [hardlink('h', join(s, 'keep.txt'))], code: 'invalid_input', names: /"h".*absolute/ },
  { name: 'hardlink to something not extracted', members: () => [hardlink('h', 'nowhere')], code: 'invalid_input', names: /"h".*not a regular file/ },
  {
    name: 'hardlink through a symlink',
    members: () => [dir('d/'), file('d/f'), symlink('s', 'd'), hardlink('h', 's/f')],
    code: 'invalid_input',
    names: /"h"/,
  },
  {
    name: 'character device',
    members: () => [{ header: { name: 'dev/evil', type: 'character-device', devmajor: 1, devminor: 3 } }],
    code: 'invalid_input',
    names: /"dev\/evil".*character-device/,
  },
  { name: 'block device', members: () => [{ header: { name: 'blk', type: 'block-device', devmajor: 8 } }], code: 'invalid_input', names: /"blk"/ },
  { name: 'FIFO', members: () => [{ header: { name: 'pipe', type: 'fifo' } }], code: 'invalid_input', names: /"pipe".*fifo/ },
  {
    name: 'pax header renaming a harmless name into an escape',
    members: () => [{ header: { name: 'innocent.txt', pax: { path: '../../sentinel/pwned' } }, body: 'x' }],
    code: 'invalid_input',
    names: /sentinel\/pwned/,
  },
  {
    name: 'NUL byte in a pax path',
    members: () => [{ header: { name: 'innocent.txt', pax: { path: 'a\u0000/../../b' } }, body: 'x' }],
    code: 'invalid_input',
    names: /NUL/,
  },
  { name: 'backslash in a name', members: () => [file('..\\..\\sentinel\\pwned')], code: 'invalid_input', names: /backslash/ },
  {
    name: 'very long path',
    members: () => [file(`${'d/'.repeat(600)}f`)],
    code: 'too_large',
    names: /maxPathLength 1024/,
  },
  {
    name: 'symlink replacing a directory',
    members: () => [dir('d/'), file('d/x'), symlink('d', 'elsewhere')],
    code: 'invalid_input',
    names: /"d".*replace a directory/,
  },
  {
    name: 'tar bomb by size',
    members: () => [file('big.bin', 'y'.repeat(300_000))],
    limits: { maxTotalBytes: 100_000 },
    code: 'too_large',
    names: /maxTotalBytes 100000/,
  },
  {
    name: 'tar bomb by file count',
    members: () => Array.from({ length: 50 }, (_, i) => file(`f${i}`)),
    limits: { maxFiles: 20 },
    code: 'too_large',
    names: /maxFiles 20.*"f20"/,
  },
  {
    name: 'gzip bomb',
    archive: () => makeZeroBomb(64 * 1024 * 1024),
    limits: { maxTotalBytes: 4 * 1024 * 1024 },
    code: 'too_large',
    names: /maxTotalBytes/,
  },
  {
    name: 'archive larger than allowed to download',
    members: () => [{ header: { name: 'a' }, body: randomBytes(200_000) }],
    limits: { maxArchiveBytes: 50_000 },
    code: 'too_large',
    names: /maxArchiveBytes 50000/,
  },
];

for (const c of corpus) {
  for (const gzip of c.archive ? [true] : [false, true]) {
    test(`refuses ${c.name}${c.archive ? '' : gzip ? ' (tar.gz)' : ' (tar)'}, writing nothing anywhere`, async () => {
      const box = await makeSandbox();
      try {
        const before = await box.snapshot();
        const archive = c.archive ? await c.archive() : await makeTar(c.members!(box.sentinel), { gzip });
        const url = await box.file(archive);
        await assert.rejects(fetchArchive(url, box.dest, c.limits ? { limits: c.limits } : {}), (err: unknown) => {
          assert.ok(err instanceof AppError, String(err));
          assert.equal(err.code, c.code, err.message);
          assert.match(err.message, c.names);
          return true;
        });
        assert.deepEqual(await box.snapshot(), before, 'nothing written in or beside the workspace');
        assert.equal(await readFile(join(box.sentinel, 'keep.txt'), 'utf8'), 'untouched');
      } finally {
        await box.cleanup();
      }
    });
  }
}

test('setuid, setgid and sticky bits are dropped; permissions otherwise kept', async () => {
  const box = await makeSandbox();
  try {
    const archive = await makeTar([
      { header: { name: 'suid', mode: 0o4755 }, body: '#!/bin/sh\n' },
      { header: { name: 'sgid', mode: 0o2644 }, body: 'x' },
      { header: { name: 'sticky/', type: 'directory', mode: 0o1777 } },
    ]);
    await fetchArchive(await box.file(archive), box.dest);
    assert.equal((await stat(join(box.dest, 'suid'))).mode & 0o7777, 0o755);
    assert.equal((await stat(join(box.dest, 'sgid'))).mode & 0o7777, 0o644);
    assert.equal((await stat(join(box.dest, 'sticky'))).mode & 0o7000, 0);
  } finally {
    await box.cleanup();
  }
});

test('links that stay inside are extracted, and later members replace earlier ones', async () => {
  const box = await makeSandbox();
  try {
    const archive = await makeTar([
      dir('./'),
      file('./dir/a.txt', 'A'),
      symlink('dir/to-a', 'a.txt'),
      symlink('up', 'dir/../dir'),
      hardlink('dir/hard-a', 'dir/a.txt'),
      symlink('was-link', 'dir'),
      file('was-link', 'now a file'),
      file('dup', 'first'),
      file('dup', 'second'),
      file('then-link', 'file first'),
      symlink('then-link', 'dir/a.txt'),
    ]);
    const res = await fetchArchive(await box.file(archive), box.dest);
    assert.equal(res.files, 11);
    assert.equal(await readFile(join(box.dest, 'dir/to-a'), 'utf8'), 'A');
    assert.equal(await readlink(join(box.dest, 'up')), 'dir/../dir');
    assert.equal((await stat(join(box.dest, 'dir/hard-a'))).ino, (await stat(join(box.dest, 'dir/a.txt'))).ino);
    assert.ok((await lstat(join(box.dest, 'was-link'))).isFile());
    assert.equal(await readFile(join(box.dest, 'was-link'), 'utf8'), 'now a file');
    assert.equal(await readFile(join(box.dest, 'dup'), 'utf8'), 'second');
    assert.ok((await lstat(join(box.dest, 'then-link'))).isSymbolicLink());
    assert.deepEqual((await readdir(join(box.dest, 'dir'))).sort(), ['a.txt', 'hard-a', 'to-a']);
  } finally {
    await box.cleanup();
  }
});
